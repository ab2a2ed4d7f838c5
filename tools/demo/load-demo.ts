/**
 * Fills a running instance with realistic needs and consultations through the public API:
 *   npm run demo                               (the embedded default on 127.0.0.1:3000)
 *   npm run demo -- --url http://127.0.0.1:3100 --secret <AUTH_JWT_SECRET>   (the gateway)
 * Tokens are minted with the instance's secret: --secret, AUTH_JWT_SECRET, or DATA_DIR/jwt-secret.
 */
import { parseArgs } from 'node:util';
import { mintToken, type Role } from '@pcp/auth';
import { resolveSecret } from '../token/mint-token';
import { DAY_MS, NEEDS, PROCURERS, SUPPLIERS } from './demo-data';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

class DemoLoader {
  private readonly tokens = new Map<string, Promise<string>>();
  counts = { needs: 0, buyersGroups: 0, consultations: 0, responses: 0, clarifications: 0 };

  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  token(claims: {
    sub: string;
    org: string;
    roles: Role[];
    name: string;
    sme?: boolean;
    country?: string;
  }): Promise<string> {
    const key = `${claims.sub}:${claims.roles.join(',')}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = mintToken(claims, { secret: this.secret, ttl: '1h' });
      this.tokens.set(key, token);
    }
    return token;
  }

  procurer(org: string) {
    const p = PROCURERS[org];
    return this.token({ sub: p.sub, org, roles: ['procurer'], name: p.name, country: p.country });
  }

  async send(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    expected = [200, 201],
  ): Promise<Reply> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const reply = {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    if (!expected.includes(res.status)) {
      throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    }
    return reply;
  }

  async run(): Promise<void> {
    const needIds = new Map<string, string>();
    for (const need of NEEDS) {
      const { key, org, outcome, priority, ...fields } = need;
      const token = await this.procurer(org);
      const created = await this.send(token, 'POST', '/needs', fields);
      const id = created.body['id'] as string;
      needIds.set(key, id);
      this.counts.needs++;
      if (priority) await this.send(token, 'POST', `/needs/${id}/prioritise`, priority);
      if (outcome === 'validate') {
        await this.send(token, 'POST', `/needs/${id}/validate`, {
          rationale: 'Confirmed by the clinical board and the procurement committee',
        });
      } else if (outcome === 'reject') {
        await this.send(token, 'POST', `/needs/${id}/reject`, {
          reason: 'Already covered by the national telehealth programme; no procurement needed',
        });
      }
    }

    // Catalonia leads a buyers group for rare-disease genomics; Lombardy and Flanders join.
    const catalonia = await this.procurer('org-catsalut');
    const group = await this.send(catalonia, 'POST', '/buyers-groups', {
      name: 'European buyers group for rare-disease genomics',
      needIds: [needIds.get('rare-catalonia')],
    });
    const groupId = group.body['id'] as string;
    this.counts.buyersGroups++;
    await this.send(
      await this.procurer('org-aria-lombardia'),
      'POST',
      `/buyers-groups/${groupId}/join`,
      {
        needId: needIds.get('rare-lombardy'),
      },
    );
    await this.send(
      await this.procurer('org-uz-leuven'),
      'POST',
      `/buyers-groups/${groupId}/join`,
      {
        needId: needIds.get('rare-flanders'),
      },
    );

    const now = Date.now();
    const consultations: {
      key: string;
      org: string;
      body: Record<string, unknown>;
      trls: number[];
      /** Closing: the report opens with what the responses sent here declare, then `findings`. */
      close?: { findings: string; route: string; rationale: string };
    }[] = [
      {
        key: 'sepsis',
        org: 'org-sergas',
        body: {
          needId: needIds.get('sepsis'),
          title: 'Open market consultation: early warning of sepsis',
          description:
            'Which solutions can detect sepsis earlier from routine data, and how mature are they?',
          opensAt: new Date(now + 35 * DAY_MS).toISOString(),
          closesAt: new Date(now + 90 * DAY_MS).toISOString(),
          questions: ['Which data does your solution need?', 'How was it validated clinically?'],
          stateOfTheArtTrl: 5,
        },
        trls: [6, 5, 4],
        close: {
          findings:
            'No declared solution is on the market (TRL 8 or more), so R&D is still needed.',
          route: 'PCP',
          rationale:
            'Best available solution below TRL 8: pre-commercial procurement in three phases',
        },
      },
      {
        key: 'rare-genomics',
        org: 'org-catsalut',
        body: {
          buyersGroupId: groupId,
          title: 'Joint market consultation: rapid genomic diagnosis for rare diseases',
          description:
            'A buyers group of three regions explores sequencing and interpretation services.',
          opensAt: new Date(now + 40 * DAY_MS).toISOString(),
          closesAt: new Date(now + 100 * DAY_MS).toISOString(),
          questions: [
            'What turnaround time can you guarantee?',
            'How do you handle consent across borders?',
          ],
        },
        trls: [8, 7, 9],
      },
      {
        key: 'car-t',
        org: 'org-aou-bologna',
        body: {
          needId: needIds.get('car-t'),
          title: 'Market consultation: automated point-of-care CAR-T manufacturing',
          description:
            'Closed, automated manufacturing platforms for CAR-T under hospital exemption.',
          opensAt: new Date(now + 20 * DAY_MS).toISOString(),
          closesAt: new Date(now + 60 * DAY_MS).toISOString(),
          questions: ['Which quality controls are automated?'],
          stateOfTheArtTrl: 6,
        },
        trls: [7],
      },
    ];

    for (const c of consultations) {
      const procurer = await this.procurer(c.org);
      const opened = await this.send(procurer, 'POST', '/consultations', c.body);
      const id = opened.body['id'] as string;
      this.counts.consultations++;
      await this.send(procurer, 'POST', `/consultations/${id}/publish`, {});
      for (const [i, declaredTrl] of c.trls.entries()) {
        const s = SUPPLIERS[i % SUPPLIERS.length];
        const token = await this.token({
          sub: s.sub,
          org: s.org,
          roles: ['supplier'],
          name: s.name,
          sme: s.sme,
          country: s.country,
        });
        await this.send(token, 'POST', `/consultations/${id}/responses`, {
          solutionName: `${s.name.split(' ')[0]} for ${c.key}`,
          summary: `Our solution for ${String(c.body['title']).toLowerCase()}, demonstrated at TRL ${declaredTrl}.`,
          declaredTrl,
        });
        this.counts.responses++;
        if (i === 0) {
          const q = await this.send(token, 'POST', `/consultations/${id}/questions`, {
            text: 'Will the call accept consortia of an SME and a research organisation?',
          });
          await this.send(
            procurer,
            'POST',
            `/consultations/${id}/questions/${q.body['id']}/answer`,
            {
              text: 'Yes: consortia may respond, the lead is the contact for the whole consortium.',
            },
          );
          this.counts.clarifications++;
        }
      }
      if (c.close) {
        await this.send(procurer, 'POST', `/consultations/${id}/close`, {
          report: `${reportOfResponses(c.trls)} ${c.close.findings}`,
        });
        await this.send(procurer, 'POST', `/consultations/${id}/route`, {
          route: c.close.route,
          rationale: c.close.rationale,
        });
      }
    }
  }
}

/** The opening of a closing report, from the responses actually sent (never a stated count). */
export function reportOfResponses(trls: readonly number[]): string {
  if (trls.length === 0) return 'No supplier answered.';
  const listed =
    trls.length === 1 ? `${trls[0]}` : `${trls.slice(0, -1).join(', ')} and ${trls.at(-1)}`;
  const who = trls.length === 1 ? '1 supplier answered' : `${trls.length} suppliers answered`;
  return `${who}, declaring TRL ${listed}; the best declared TRL is ${Math.max(...trls)}.`;
}

export type DemoCounts = DemoLoader['counts'];

/** Loads the demo data into the instance at `url`, with tokens minted with `secret`. */
export async function loadDemo(url: string, secret: string): Promise<DemoCounts> {
  const loader = new DemoLoader(url.replace(/\/$/, ''), secret);
  await loader.run();
  return loader.counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { url: { type: 'string' }, secret: { type: 'string' } },
    strict: true,
  });
  const url = (values.url ?? `http://127.0.0.1:${process.env['PORT'] ?? 3000}`).replace(/\/$/, '');
  const c = await loadDemo(url, resolveSecret(values.secret));
  process.stdout.write(
    `demo data loaded into ${url}: ${c.needs} needs, ${c.buyersGroups} buyers group, ${c.consultations} consultations, ` +
      `${c.responses} responses, ${c.clarifications} clarifications\n`,
  );
}

// Run as `npm run demo`; imported by the operations CLI.
if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo data: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
