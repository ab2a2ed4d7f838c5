import { randomUUID } from 'node:crypto';

const DAY_MS = 86_400_000;

/** One command as it was sent and answered. */
export interface SentCommand {
  /** Its X-Correlation-Id: every event it appended carries it. */
  correlationId: string;
  /** The event-store schema (service) its events go to. */
  service: string;
  route: string;
  status: number;
  ms: number;
  /** The API error body of a failed answer, for the report. */
  error?: string;
}

export interface LoadOptions {
  baseUrl: string;
  /** Bearer tokens of two procurers of different organisations. */
  tokens: string[];
  commands: number;
  concurrency: number;
  /** Commands started per second at most. */
  rate: number;
  /** Per-request bound: a request still unanswered then is aborted and counted as a hang. */
  abortMs: number;
  /** Called after each answer with the count sent so far. */
  onProgress?: (sent: number) => void;
}

interface Need {
  id: string;
  token: string;
  validated: boolean;
  consulted: boolean;
}

/**
 * A steady stream of procurers' commands through the gateway, bounded in count: needs
 * recorded, validated and prioritised (the needs service, relayed to consultations and the
 * pipeline over Kafka), testbeds registered (pilots) and consultations opened on validated
 * needs (consultations, which must have learnt the need from Kafka first).
 */
export async function runLoad(options: LoadOptions): Promise<SentCommand[]> {
  const sent: SentCommand[] = [];
  const needs: Need[] = [];
  let next = 0;

  const send = async (
    service: string,
    route: string,
    path: string,
    token: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const correlationId = `load-${randomUUID()}`;
    const started = Date.now();
    let status = 0;
    let answer: Record<string, unknown> = {};
    try {
      const res = await fetch(`${options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-correlation-id': correlationId,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.abortMs),
      });
      status = res.status;
      answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    } catch {
      status = 0; // no answer: the connection dropped or the request hung
    }
    const command: SentCommand = {
      correlationId,
      service,
      route,
      status,
      ms: Date.now() - started,
    };
    if (status >= 400 && typeof answer['message'] === 'string') command.error = answer['message'];
    sent.push(command);
    options.onProgress?.(sent.length);
    return { status, body: answer };
  };

  const step = async (n: number) => {
    const token = options.tokens[n % options.tokens.length];
    const own = needs.filter((x) => x.token === token);
    const recorded = own.filter((x) => !x.validated);
    const validated = own.filter((x) => x.validated);
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
    const roll = n % 10;
    if (roll < 4 || own.length === 0) {
      const res = await send('needs', 'POST /needs', '/needs', token, needBody(n));
      if (res.status === 201 && typeof res.body['id'] === 'string') {
        needs.push({ id: res.body['id'], token, validated: false, consulted: false });
      }
    } else if (roll < 6 && recorded.length > 0) {
      const need = pick(recorded);
      const res = await send(
        'needs',
        'POST /needs/:id/validate',
        `/needs/${need.id}/validate`,
        token,
        {},
      );
      if (res.status === 200) need.validated = true;
    } else if (roll < 8 && validated.length > 0) {
      const need = pick(validated);
      await send('needs', 'POST /needs/:id/prioritise', `/needs/${need.id}/prioritise`, token, {
        score: (n % 100) + 1,
      });
    } else if (roll < 9) {
      await send('pilots', 'POST /testbeds', '/testbeds', token, {
        name: `Testbed ${n}`,
        type: 'HOSPITAL',
        region: 'ES11',
        capabilities: ['ehr_integration'],
      });
    } else if (validated.some((x) => !x.consulted)) {
      // One consultation per need: the pipeline dates a need's consultation stage by whichever
      // of several consultations it hears of first (README, Reliability: limits).
      const need = pick(validated.filter((x) => !x.consulted));
      need.consulted = true;
      await send('consultations', 'POST /consultations', '/consultations', token, {
        needId: need.id,
        title: `Open market consultation ${n}`,
        description: 'What can detect sepsis earlier from routine data?',
        opensAt: new Date(Date.now() + 35 * DAY_MS).toISOString(),
        closesAt: new Date(Date.now() + 75 * DAY_MS).toISOString(),
        questions: ['Which data does your solution need?'],
        stateOfTheArtTrl: 5,
      });
    } else {
      await send('needs', 'POST /needs', '/needs', token, needBody(n));
    }
  };

  const started = Date.now();
  const sender = async () => {
    for (;;) {
      const n = next++;
      if (n >= options.commands) return;
      // The n-th command starts no earlier than n / rate seconds into the run.
      const wait = started + (n * 1000) / options.rate - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await step(n);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, sender));
  return sent;
}

function needBody(n: number) {
  return {
    title: `Early detection of sepsis, case ${n}`,
    description: 'Sepsis is recognised too late in two out of five emergency admissions.',
    region: n % 2 === 0 ? 'ES11' : 'ES22',
    diseaseField: 'infectious',
    scope: ['early_detection'],
    patientPopulation: 1000 + n,
    budgetEstimateEur: 100_000 + n,
  };
}
