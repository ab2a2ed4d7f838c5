import { consultationsContext } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pilotsContext } from '@pcp/pilots';
import { pipelineContext } from '@pcp/pipeline';
import { createTestApp, type TestApp } from '@pcp/platform';
import { tendersContext } from '@pcp/tenders';

// Starting the platform takes long on a busy machine.
const STARTUP_MS = 180_000;

const WRITERS = 200;

interface Answer {
  writer: number;
  status: number;
  body: {
    statusCode?: number;
    error?: string;
    message?: string;
    details?: { currentRevision?: string | null };
    revision?: number;
    priority?: { criteria: Record<string, number> | null } | null;
  };
  ifMatch: string | null;
}

interface HistoryItem {
  type: string;
  revision: number;
  correlationId: string;
  data: { criteria?: Record<string, number> | null };
}

// The embedded platform as `npm start` composes it, driven over a real socket by many
// writers at once on one need: optimistic concurrency must turn every race into either an
// appended event or a 409 naming the current revision, and nothing in between.
describe('concurrent conflicting commands on one aggregate', () => {
  let app: TestApp;
  let ana: string;

  beforeAll(async () => {
    app = await createTestApp({
      contexts: [
        needsContext,
        consultationsContext,
        tendersContext,
        pilotsContext,
        pipelineContext,
      ],
    });
    ana = await app.token({ sub: 'u-ana', org: 'org-sergas', roles: ['procurer'] });
  }, STARTUP_MS);
  afterAll(() => app.close(), STARTUP_MS);

  const call = async (method: string, path: string, body?: unknown, headers = {}) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ana}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };

  const validatedNeed = async (): Promise<string> => {
    const recorded = await call('POST', '/needs', {
      title: 'Early detection of sepsis in emergency departments',
      description: 'Sepsis is recognised too late in two out of five emergency admissions.',
      region: 'ES11',
      diseaseField: 'infectious',
      scope: ['early_detection'],
      patientPopulation: 12000,
      budgetEstimateEur: 2_500_000,
    });
    expect(recorded.status).toBe(201);
    const id = (recorded.body as { id: string }).id;
    expect((await call('POST', `/needs/${id}/validate`, {})).status).toBe(200);
    return id;
  };

  // Every writer's command is told apart by its correlation id and its criterion name.
  const prioritise = async (needId: string, writer: number, ifMatch: string | null) => {
    const res = await call(
      'POST',
      `/needs/${needId}/prioritise`,
      { score: (writer % 100) + 1, criteria: { [`writer${writer}`]: (writer % 100) + 1 } },
      {
        'x-correlation-id': `writer-${writer}-${Math.random().toString(36).slice(2)}`,
        ...(ifMatch === null ? {} : { 'if-match': `"${ifMatch}"` }),
      },
    );
    return { writer, ifMatch, ...res };
  };

  const prioritisations = async (needId: string) => {
    const res = await call('GET', `/needs/${needId}/history`);
    expect(res.status).toBe(200);
    return ((res.body as { items: HistoryItem[] }).items ?? []).filter(
      (e) => e.type === 'NeedPrioritised',
    );
  };

  const writerOf = (criteria: Record<string, number> | null | undefined) =>
    Number(Object.keys(criteria ?? {})[0]?.replace('writer', ''));

  const currentRevisionOf = (answer: Answer): bigint => {
    const current = answer.body.details?.currentRevision;
    if (typeof current !== 'string')
      throw new Error(`no current revision in ${JSON.stringify(answer.body)}`);
    return BigInt(current);
  };

  const lastOf = <T>(items: T[]): T => {
    if (items.length === 0) throw new Error('expected at least one item');
    return items[items.length - 1];
  };

  const expectConflictShape = (answer: Answer) => {
    expect(answer.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: expect.any(String),
      details: { currentRevision: expect.stringMatching(/^\d+$/) },
    });
  };

  it(
    `with If-Match: ${WRITERS} writers on one revision, one event per success and a 409 with the current revision for every other`,
    async () => {
      const needId = await validatedNeed();
      const answers = await Promise.all(
        Array.from({ length: WRITERS }, (_, writer) => prioritise(needId, writer, '1')),
      );

      const successes = answers.filter((a) => a.status === 200);
      const conflicts = answers.filter((a) => a.status === 409);
      expect(successes.length + conflicts.length).toBe(WRITERS);
      expect(successes.length).toBeGreaterThanOrEqual(1);

      const events = await prioritisations(needId);
      expect(events).toHaveLength(successes.length);
      expect(events.map((e) => writerOf(e.data.criteria)).sort()).toEqual(
        successes.map((a) => a.writer).sort(),
      );
      const finalRevision = 1 + successes.length;
      for (const conflict of conflicts) {
        expectConflictShape(conflict);
        expect(currentRevisionOf(conflict)).toBeGreaterThan(1n);
        expect(currentRevisionOf(conflict)).toBeLessThanOrEqual(finalRevision);
      }

      // The state shows the one change that won, and the read model agrees once settled.
      const now = await call('GET', `/needs/${needId}`);
      expect(now.body.revision).toBe(finalRevision);
      expect(writerOf(now.body.priority?.criteria)).toBe(writerOf(lastOf(events).data.criteria));
      await app.settle();
      const listed = await call('GET', '/needs?status=VALIDATED&limit=100');
      const items = (listed.body as { items?: { id: string; revision: number }[] }).items ?? [];
      const item = items.find((n) => n.id === needId);
      expect(item?.revision).toBe(finalRevision);
    },
    STARTUP_MS,
  );

  it(
    `with If-Match: ${WRITERS} writers that retry with the revision a 409 names lose no update`,
    async () => {
      const needId = await validatedNeed();
      const ATTEMPTS = 3;
      const all: Answer[] = [];
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          let revision = '1';
          for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
            const answer = await prioritise(needId, writer, revision);
            all.push(answer);
            if (answer.status !== 409) return;
            revision = String(currentRevisionOf(answer));
          }
        }),
      );

      expect(all.every((a) => a.status === 200 || a.status === 409)).toBe(true);
      const successes = all.filter((a) => a.status === 200);
      // A writer stops at its first success: at most one event per writer.
      expect(new Set(successes.map((a) => a.writer)).size).toBe(successes.length);
      const events = await prioritisations(needId);
      expect(events).toHaveLength(successes.length);
      expect(events.map((e) => writerOf(e.data.criteria)).sort()).toEqual(
        successes.map((a) => a.writer).sort(),
      );
      // Each success was decided on exactly the revision it named: its event follows it.
      for (const success of successes) {
        const event = events.find((e) => writerOf(e.data.criteria) === success.writer);
        if (!event) throw new Error(`no event of writer ${success.writer}`);
        expect(event.revision).toBe(Number(success.ifMatch) + 1);
        expect(success.body.revision).toBe(event.revision);
      }
      for (const conflict of all.filter((a) => a.status === 409)) {
        expectConflictShape(conflict);
        expect(currentRevisionOf(conflict)).toBeGreaterThan(BigInt(conflict.ifMatch ?? -1));
      }
      const now = await call('GET', `/needs/${needId}`);
      expect(now.body.revision).toBe(1 + successes.length);
    },
    STARTUP_MS,
  );

  it(
    `without If-Match: ${WRITERS} writers converge, every 2xx is one event and nothing answers 500`,
    async () => {
      const needId = await validatedNeed();
      const answers = await Promise.all(
        Array.from({ length: WRITERS }, (_, writer) => prioritise(needId, writer, null)),
      );

      for (const answer of answers) {
        expect([200, 409, 503]).toContain(answer.status);
        if (answer.status !== 200) {
          expect(answer.body).toMatchObject({
            statusCode: answer.status,
            message: expect.any(String),
          });
        }
      }
      const successes = answers.filter((a) => a.status === 200);
      const events = await prioritisations(needId);
      expect(events).toHaveLength(successes.length);
      expect(events.map((e) => writerOf(e.data.criteria)).sort()).toEqual(
        successes.map((a) => a.writer).sort(),
      );
      // Each answer shows the need right after its own event, so revisions are all different.
      expect(new Set(successes.map((a) => a.body.revision)).size).toBe(successes.length);
      for (const success of successes) {
        expect(writerOf(success.body.priority?.criteria)).toBe(success.writer);
      }
      // The last event decides the state: no later write was overwritten by an earlier one.
      const now = await call('GET', `/needs/${needId}`);
      expect(now.body.revision).toBe(1 + successes.length);
      expect(writerOf(now.body.priority?.criteria)).toBe(writerOf(lastOf(events).data.criteria));
    },
    STARTUP_MS,
  );
});
