import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineEndpoints } from './engine-variables';
import { EVENTSTOREDB_SKIP_REASON, eventStoreDbUrl, requireEngine, uniqueName } from './engines';
import { readEnginesEnv } from './env-file';

describe('requireEngine', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('returns the configured address', () => {
    process.env.PCP_TEST_KAFKA_BROKERS = '127.0.0.1:1,127.0.0.1:2';
    expect(requireEngine('kafka')).toBe('127.0.0.1:1,127.0.0.1:2');
  });

  it.each([
    ['postgres', 'PostgreSQL', 'PCP_TEST_POSTGRES_URL'],
    ['kafka', 'Kafka', 'PCP_TEST_KAFKA_BROKERS'],
    ['mongo', 'MongoDB', 'PCP_TEST_MONGO_URL'],
  ] as const)(
    'throws naming %s and the command to start it when unset',
    (engine, title, variable) => {
      delete process.env[variable];
      expect(() => requireEngine(engine)).toThrow(title);
      expect(() => requireEngine(engine)).toThrow(variable);
      expect(() => requireEngine(engine)).toThrow('npm run engines:up');
    },
  );

  it('reports EventStoreDB as absent rather than failing', () => {
    delete process.env.EVENTSTOREDB_URL;
    expect(eventStoreDbUrl()).toBeNull();
    process.env.EVENTSTOREDB_URL = 'esdb://127.0.0.1:2113?tls=false';
    expect(eventStoreDbUrl()).toBe('esdb://127.0.0.1:2113?tls=false');
    expect(EVENTSTOREDB_SKIP_REASON).toContain('EVENTSTOREDB_URL');
  });
});

describe('uniqueName', () => {
  it('is safe for topics, databases and streams, and never repeats', () => {
    const names = new Set(
      Array.from({ length: 200 }, () => uniqueName('tender events/öffentlich')),
    );
    expect(names.size).toBe(200);
    for (const name of names)
      expect(name).toMatch(/^tender-events-ffentlich-[0-9a-z]+-[0-9a-f]{8}$/);
  });
});

describe('readEnginesEnv', () => {
  it('reads KEY=VALUE lines, skipping comments and blanks', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'engines-env-')), 'engines.env');
    writeFileSync(
      file,
      '# comment\n\nPCP_TEST_KAFKA_BROKERS=127.0.0.1:59092\nPCP_TEST_MONGO_URL="mongodb://h:1/db"\n',
    );
    expect(readEnginesEnv(file)).toEqual({
      PCP_TEST_KAFKA_BROKERS: '127.0.0.1:59092',
      PCP_TEST_MONGO_URL: 'mongodb://h:1/db',
    });
  });

  it('gives nothing when the file does not exist', () => {
    expect(readEnginesEnv(join(tmpdir(), 'no-such-dir-engines', 'engines.env'))).toEqual({});
  });
});

describe('engineEndpoints', () => {
  it('finds host and port in each kind of address', () => {
    expect(engineEndpoints('postgres', 'postgres://pcp:pcp@127.0.0.1:54329/pcp_test')).toEqual([
      { host: '127.0.0.1', port: 54329 },
    ]);
    expect(engineEndpoints('kafka', '127.0.0.1:59092, localhost:9092')).toEqual([
      { host: '127.0.0.1', port: 59092 },
      { host: 'localhost', port: 9092 },
    ]);
    expect(engineEndpoints('mongo', 'mongodb://a:1,b/pcp_test?directConnection=true')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 27017 },
    ]);
    expect(engineEndpoints('eventstoredb', 'esdb://[::1]:2113?tls=false')).toEqual([
      { host: '::1', port: 2113 },
    ]);
  });
});
