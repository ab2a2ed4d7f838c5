// Where each engine's address is found: the same variables whether the engines come from
// `npm run engines:up` (.engines/engines.env) or from Docker containers started by the global setup.
export type EngineName = 'postgres' | 'kafka' | 'mongo';

export const ENGINE_VARIABLES: Record<EngineName, string> = {
  postgres: 'PCP_TEST_POSTGRES_URL',
  kafka: 'PCP_TEST_KAFKA_BROKERS',
  mongo: 'PCP_TEST_MONGO_URL',
};

export const ENGINE_TITLES: Record<EngineName, string> = {
  postgres: 'PostgreSQL',
  kafka: 'Kafka',
  mongo: 'MongoDB (FerretDB)',
};

export const EVENTSTOREDB_VARIABLE = 'EVENTSTOREDB_URL';

export const ENGINE_NAMES = Object.keys(ENGINE_VARIABLES) as EngineName[];

/** The host:port pairs an engine's address names, to check that something listens there. */
export function engineEndpoints(
  engine: EngineName | 'eventstoredb',
  address: string,
): { host: string; port: number }[] {
  if (engine === 'kafka') {
    return address
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean)
      .map((broker) => {
        const at = broker.lastIndexOf(':');
        return { host: broker.slice(0, at), port: Number(broker.slice(at + 1)) };
      });
  }
  const defaults: Record<string, number> = { postgres: 5432, mongo: 27017, eventstoredb: 2113 };
  // URL cannot parse the host list of a multi-host mongodb:// string; take the authority by hand.
  const authority =
    address
      .replace(/^[a-z+]+:\/\//i, '')
      .split(/[/?]/)[0]
      .split('@')
      .pop() ?? '';
  return authority.split(',').map((hostPort) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort);
    const host = (match?.[1] ?? hostPort).replace(/^\[|\]$/g, '');
    return { host, port: match?.[2] ? Number(match[2]) : defaults[engine] };
  });
}
