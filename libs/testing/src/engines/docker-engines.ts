import type { StartedTestContainer } from 'testcontainers';
import { ENGINE_VARIABLES, EVENTSTOREDB_VARIABLE, type EngineName } from './engine-variables';

export type ContainerEngine = EngineName | 'eventstoredb';

// Images can be pinned elsewhere through PCP_TEST_<ENGINE>_IMAGE (e.g. a registry mirror).
const IMAGES: Record<ContainerEngine, string> = {
  postgres: process.env.PCP_TEST_POSTGRES_IMAGE ?? 'postgres:16-alpine',
  // Confluent Platform 8.1 is Apache Kafka 4.1: the 4.x line the engine scripts run (kafkajs
  // needs 4.0.1 or later there: 4.0.0 had dropped the JoinGroup versions it speaks).
  kafka: process.env.PCP_TEST_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:8.1.0',
  mongo: process.env.PCP_TEST_MONGO_IMAGE ?? 'mongo:7.0',
  eventstoredb: process.env.PCP_TEST_EVENTSTOREDB_IMAGE ?? 'eventstore/eventstore:24.10',
};

export interface StartedEngine {
  engine: ContainerEngine;
  variable: string;
  url: string;
  container: StartedTestContainer;
}

async function start(engine: ContainerEngine): Promise<StartedEngine> {
  switch (engine) {
    case 'postgres': {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer(IMAGES.postgres)
        .withUsername('pcp')
        .withPassword('pcp')
        .withDatabase('pcp_test')
        .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=300'])
        .start();
      return {
        engine,
        variable: ENGINE_VARIABLES.postgres,
        url: container.getConnectionUri(),
        container,
      };
    }
    case 'kafka': {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const container = await new KafkaContainer(IMAGES.kafka)
        .withKraft()
        .withEnvironment({ KAFKA_NUM_PARTITIONS: '3', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true' })
        .start();
      const url = `${container.getHost()}:${container.getMappedPort(9093)}`;
      return { engine, variable: ENGINE_VARIABLES.kafka, url, container };
    }
    case 'mongo': {
      const { MongoDBContainer } = await import('@testcontainers/mongodb');
      const container = await new MongoDBContainer(IMAGES.mongo).start();
      // The container is a one-member replica set announcing an internal host name.
      const url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/pcp_test?directConnection=true`;
      return { engine, variable: ENGINE_VARIABLES.mongo, url, container };
    }
    case 'eventstoredb': {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(IMAGES.eventstoredb)
        .withEnvironment({
          EVENTSTORE_INSECURE: 'true',
          EVENTSTORE_CLUSTER_SIZE: '1',
          EVENTSTORE_MEM_DB: 'true',
          EVENTSTORE_RUN_PROJECTIONS: 'All',
          EVENTSTORE_START_STANDARD_PROJECTIONS: 'true',
        })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
        .withStartupTimeout(120_000)
        .start();
      const url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
      return { engine, variable: EVENTSTOREDB_VARIABLE, url, container };
    }
  }
}

/** Starts the engines side by side; if one fails, stops those that started and rethrows. */
export async function startContainers(engines: ContainerEngine[]): Promise<StartedEngine[]> {
  const results = await Promise.allSettled(engines.map(start));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${engines[i]}: ${String(r.reason)}`] : [],
  );
  if (failed.length > 0) {
    await stopContainers(started);
    throw new Error(`Could not start engine containers:\n  ${failed.join('\n  ')}`);
  }
  return started;
}

export async function stopContainers(started: StartedEngine[]): Promise<void> {
  await Promise.allSettled(started.map((s) => s.container.stop()));
}
