import { Client } from 'pg';
import { createKafka } from '@pcp/messaging';
import type { FaultEngines } from './engines';
import type { FaultSettings, ServiceName } from './settings';
import type { DistributedSystem } from './system';

export interface FaultContext {
  settings: FaultSettings;
  engines: FaultEngines;
  system: DistributedSystem;
  run: string;
  log: (line: string) => void;
}

/** Breaks something while the load runs, then brings it back. */
export interface Scenario {
  name: string;
  description: string;
  /** Injects the fault, keeps it for the configured time, and recovers. */
  inject(context: FaultContext): Promise<FaultNotes>;
}

/** What the fault did, for the report (and proof that it happened). */
export type FaultNotes = Record<string, number | string>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const killService: Scenario = {
  name: 'kill-service',
  description: 'kill -9 of a service process (PCP_FAULTS_SERVICE, default needs), then restart it',
  async inject({ settings, system, log }) {
    const service = settings.service as ServiceName;
    log(`kill -9 ${service}`);
    await system.kill(service);
    await sleep(settings.downSeconds * 1000);
    log(`restarting ${service}`);
    await system.startService(service);
    return { killed: service };
  },
};

const engineRestart = (
  name: string,
  engine: 'kafka' | 'postgres' | 'ferretdb',
  description: string,
): Scenario => ({
  name,
  description,
  async inject({ settings, engines, system, log }) {
    log(`stopping ${engine}`);
    await engines.down(engine);
    await sleep(settings.downSeconds * 1000);
    log(`starting ${engine}`);
    await engines.up(engine);
    await system.waitAllReady(120_000);
    return { restarted: engine };
  },
});

/**
 * The relay publishes a batch and then writes its checkpoint. Here the checkpoint row is held
 * by a transaction of ours, so the relay publishes and then waits on its checkpoint write; the
 * service is killed right then, and on restart the relay publishes the batch again from the
 * old checkpoint. The consumers must absorb the repeats by their processed-event ids.
 */
const relayBetweenPublishAndCheckpoint: Scenario = {
  name: 'relay',
  description: 'the relay killed between publishing a batch and writing its checkpoint',
  async inject({ settings, system, run, engines, log }) {
    const service = settings.service as ServiceName;
    const topic = `${run}.pcp.${service}.events`;
    const kafka = createKafka({
      brokers: [engines.kafkaBrokers],
      clientId: `${run}-observer`,
    });
    const admin = kafka.admin();
    await admin.connect();
    const published = async () => {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    };
    const lock = new Client({ connectionString: system.databaseUrl });
    await lock.connect();
    try {
      const checkpoint = `relay:${service}`;
      // The relay writes its checkpoint after its first batch: wait for the row to hold.
      const deadline = Date.now() + 60_000;
      let position: string;
      for (;;) {
        await lock.query('BEGIN');
        const held = await lock.query<{ position: string }>(
          `SELECT position::text AS position FROM ${service}.subscription_checkpoints
            WHERE name = $1 FOR UPDATE`,
          [checkpoint],
        );
        if (held.rowCount === 1) {
          position = held.rows[0].position;
          break;
        }
        await lock.query('ROLLBACK');
        if (Date.now() > deadline) throw new Error(`no checkpoint ${checkpoint} after 60 s`);
        await sleep(200);
      }
      // Every event of this load is an integration event: the held checkpoint covers this many.
      const covered = Number(
        (
          await lock.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM ${service}.events WHERE global_position <= $1`,
            [position],
          )
        ).rows[0].n,
      );
      log(`holding ${service}.subscription_checkpoints[${checkpoint}] at ${covered} events`);
      // The relay publishes its next batch, then waits on the held row: wait for that.
      const waitUntil = Date.now() + 60_000;
      let after = await published();
      while (after <= covered) {
        if (Date.now() > waitUntil)
          throw new Error('the relay published nothing past its checkpoint');
        await sleep(250);
        after = await published();
      }
      // Let it publish what it had read, then kill it while it waits on the checkpoint.
      await sleep(500);
      after = await published();
      log(`relay published ${after - covered} records past its checkpoint; kill -9 ${service}`);
      await system.kill(service);
      await lock.query('ROLLBACK');
      await sleep(settings.downSeconds * 1000);
      log(`restarting ${service}`);
      await system.startService(service);
      return { publishedWithoutCheckpoint: after - covered };
    } finally {
      await lock.end().catch(() => undefined);
      await admin.disconnect();
    }
  },
};

export const SCENARIOS: Scenario[] = [
  killService,
  engineRestart('kafka', 'kafka', 'Kafka stopped and restarted'),
  engineRestart('postgres', 'postgres', 'PostgreSQL (the event store) stopped and restarted'),
  engineRestart('ferretdb', 'ferretdb', 'FerretDB (the read models) stopped and restarted'),
  relayBetweenPublishAndCheckpoint,
];

/** Several faults one after the other in one run (the CI run: one start-up, two faults). */
export function inSequence(name: string, ...scenarios: Scenario[]): Scenario {
  return {
    name,
    description: scenarios.map((s) => s.description).join('; then '),
    async inject(context) {
      const notes: FaultNotes = {};
      for (const scenario of scenarios) {
        for (const [key, value] of Object.entries(await scenario.inject(context))) {
          notes[`${scenario.name}.${key}`] = value;
        }
      }
      return notes;
    },
  };
}

export const scenarioNamed = (name: string): Scenario => {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
};
