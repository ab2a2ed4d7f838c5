/**
 * Replay / rebuild: the needs projection fed from the whole log by the ProjectionRunner, into
 * the in-memory read model (the embedded default) and into MongoDB through mongoose
 * (FerretDB here), against reading the same events with readAll and doing nothing with them.
 */
import { randomUUID } from 'node:crypto';
import { InMemoryDocumentStore, MongooseDocumentStore, ProjectionRunner } from '@pcp/documents';
import type { DocumentStore } from '@pcp/documents';
import { BEFORE_FIRST, PostgresEventStore } from '@pcp/eventsourcing';
import { needsProjection } from '@pcp/needs';
import type { BenchConfig } from '../config';
import type { BenchEngines } from '../engines';
import { log, now, perSecond } from '../measure';
import { figure, type Figure } from '../results';
import { writeNeedLog } from '../workload';

/** Reads the log like the runner does (same batch size), handling nothing. */
async function rawRead(
  store: PostgresEventStore,
  batchSize: number,
  mark: number,
): Promise<{ events: number; ms: number; positionAtMark: bigint }> {
  let events = 0;
  let positionAtMark = BEFORE_FIRST;
  const t0 = now();
  for (let after = BEFORE_FIRST; ;) {
    const batch = await store.readAll(after, batchSize);
    if (batch.length === 0) break;
    if (events < mark && events + batch.length >= mark)
      positionAtMark = batch[mark - events - 1].globalPosition;
    events += batch.length;
    after = batch[batch.length - 1].globalPosition;
  }
  return { events, ms: now() - t0, positionAtMark };
}

async function project(
  store: PostgresEventStore,
  documents: DocumentStore,
  until: bigint,
): Promise<number> {
  const runner = new ProjectionRunner({
    events: store,
    documents,
    projection: needsProjection,
    onError: (error) => log(`projection: ${String(error)}`),
  });
  const t0 = now();
  runner.start();
  try {
    await runner.waitFor(until, 3_600_000);
    return now() - t0;
  } finally {
    await runner.stop();
  }
}

export async function replay(config: BenchConfig, engines: BenchEngines): Promise<Figure[]> {
  const store = await PostgresEventStore.connect(engines.postgres, { schema: 'bench_replay' });
  try {
    const t0 = now();
    await writeNeedLog(store, config.replayEvents, config.eventsPerStream, 8, (n) => {
      log(`replay: ${n} events written`);
    });
    log(`replay: ${config.replayEvents} events written in ${((now() - t0) / 1000).toFixed(0)} s`);
    const head = await store.headPosition();

    const raw = await rawRead(store, 500, config.replayMongoEvents);
    const rawRate = perSecond(raw.events, raw.ms);
    log(`replay: raw readAll ${rawRate.toFixed(0)}/s`);

    const memoryMs = await project(store, new InMemoryDocumentStore(), head);
    log(`replay: in-memory ${perSecond(raw.events, memoryMs).toFixed(0)}/s`);

    const dbName = `${new URL(engines.mongo).pathname.slice(1)}_replay_${randomUUID().slice(0, 6)}`;
    const mongo = await MongooseDocumentStore.connect(engines.mongoBase, { dbName });
    let mongoMs: number;
    try {
      mongoMs = await project(store, mongo, raw.positionAtMark);
    } finally {
      await mongo.dropDatabase().catch(() => undefined);
      await mongo.close();
    }
    log(`replay: mongoose ${perSecond(config.replayMongoEvents, mongoMs).toFixed(0)}/s`);

    return [
      figure({
        name: 'replay-memory',
        metric: `rebuild rate (${raw.events} events)`,
        value: perSecond(raw.events, memoryMs),
        unit: 'events/s',
        baseline: { name: 'raw', value: rawRate },
        goal: { kind: 'min-ratio', value: 0.5 },
      }),
      figure({
        name: 'replay-mongo',
        metric: `rebuild rate (${config.replayMongoEvents} events)`,
        value: perSecond(config.replayMongoEvents, mongoMs),
        unit: 'events/s',
        baseline: { name: 'raw', value: rawRate },
      }),
    ];
  } finally {
    await store.close();
  }
}
