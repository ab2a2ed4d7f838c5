import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './platform-config';
import { resolveBidSealingKey, resolveJwtSecret } from './data-dir-secrets';

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      DATA_DIR: './.data',
      EVENT_STORE: 'pglite',
      INTEGRATION: 'log',
      READ_MODELS: 'memory',
      LOG_LEVEL: 'info',
    });
    expect(config.AUTH_JWT_SECRET).toBeUndefined();
  });

  it('reads numbers and choices from the environment', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      EVENT_STORE: 'postgres',
      DATABASE_URL: 'postgres://x/y',
    });
    expect(config.PORT).toBe(8080);
    expect(config.EVENT_STORE).toBe('postgres');
    expect(config.DATABASE_URL).toBe('postgres://x/y');
  });

  it('lists every problem with the variable at fault', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        EVENT_STORE: 'sqlite',
        READ_MODELS: 'mongo',
        AUTH_JWT_SECRET: 'short',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('EVENT_STORE');
    expect(message).toContain('MONGO_URL is required when READ_MODELS=mongo');
    expect(message).toContain('AUTH_JWT_SECRET must be at least 32 characters');
  });

  it('requires the URL of the engine it is told to use', () => {
    expect(() => loadConfig({ EVENT_STORE: 'postgres' })).toThrow(
      'DATABASE_URL is required when EVENT_STORE=postgres',
    );
    expect(() => loadConfig({ INTEGRATION: 'kafka' })).toThrow(
      'KAFKA_BROKERS is required when INTEGRATION=kafka',
    );
    expect(() => loadConfig({ INTEGRATION: 'kafka', KAFKA_BROKERS: 'k:9092' })).toThrow(
      'READ_MODELS must be mongo when INTEGRATION=kafka',
    );
    expect(
      loadConfig({
        INTEGRATION: 'kafka',
        KAFKA_BROKERS: 'k:9092',
        READ_MODELS: 'mongo',
        MONGO_URL: 'mongodb://m/x',
      }).INTEGRATION,
    ).toBe('kafka');
  });

  it('saves in-memory read models between runs unless READ_MODEL_SNAPSHOT=off', () => {
    expect(loadConfig({}).READ_MODEL_SNAPSHOT).toBe('on');
    expect(loadConfig({ READ_MODEL_SNAPSHOT: 'off' }).READ_MODEL_SNAPSHOT).toBe('off');
    expect(() => loadConfig({ READ_MODEL_SNAPSHOT: 'sometimes' })).toThrow(/READ_MODEL_SNAPSHOT/);
  });

  it('reads the hardening settings, with generous defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.CORS_ORIGINS).toBeUndefined();
    expect(defaults).toMatchObject({
      RATE_LIMIT_WRITES: 3000,
      RATE_LIMIT_WINDOW_MS: 60_000,
      REQUEST_TIMEOUT_MS: 30_000,
      HEADERS_TIMEOUT_MS: 10_000,
    });
    const config = loadConfig({
      CORS_ORIGINS: 'https://app.example.eu,http://localhost:5173',
      RATE_LIMIT_WRITES: '0',
      REQUEST_TIMEOUT_MS: '5000',
      HEADERS_TIMEOUT_MS: '2000',
    });
    expect(config.CORS_ORIGINS).toBe('https://app.example.eu,http://localhost:5173');
    expect(config.RATE_LIMIT_WRITES).toBe(0);
    expect(config.REQUEST_TIMEOUT_MS).toBe(5000);
  });

  it('refuses malformed origins and a headers timeout above the request timeout', () => {
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow('CORS_ORIGINS must be');
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.eu/path' })).toThrow(
      'CORS_ORIGINS must be',
    );
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' })).toThrow(
      'HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS',
    );
    expect(() => loadConfig({ RATE_LIMIT_WRITES: '-1' })).toThrow('RATE_LIMIT_WRITES');
  });
});

describe('resolveJwtSecret', () => {
  it('generates a secret once into the data folder and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcp-secret-'));
    const first = resolveJwtSecret(dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(resolveJwtSecret(dir)).toBe(first);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
  });

  it('prefers the configured secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcp-secret-'));
    expect(resolveJwtSecret(dir, 'x'.repeat(40))).toBe('x'.repeat(40));
  });
});

describe('BID_SEALING_KEY', () => {
  it('accepts 32 bytes in base64 and refuses anything else without echoing it', () => {
    const key = randomBytes(32).toString('base64');
    expect(loadConfig({ BID_SEALING_KEY: key }).BID_SEALING_KEY).toBe(key);
    expect(loadConfig({ BID_SEALING_KEY: '' }).BID_SEALING_KEY).toBeUndefined();
    for (const bad of [randomBytes(16).toString('base64'), 'not a key at all!', 'x'.repeat(44)]) {
      let error: unknown;
      try {
        loadConfig({ BID_SEALING_KEY: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(
        'BID_SEALING_KEY: the bid sealing key must be 32 random bytes in base64',
      );
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('generates a key once into the data folder (mode 0600) and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcp-bid-key-'));
    const first = resolveBidSealingKey(dir);
    expect(first).toHaveLength(32);
    expect(resolveBidSealingKey(dir)).toEqual(first);
    expect(
      Buffer.from(readFileSync(join(dir, 'bid-sealing-key'), 'utf8').trim(), 'base64'),
    ).toEqual(first);
    expect(statSync(join(dir, 'bid-sealing-key')).mode & 0o777).toBe(0o600);
  });

  it('prefers the configured key, and refuses a damaged key file with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcp-bid-key-'));
    const key = randomBytes(32);
    expect(resolveBidSealingKey(dir, key.toString('base64'))).toEqual(key);
    writeFileSync(join(dir, 'bid-sealing-key'), 'short\n');
    expect(() => resolveBidSealingKey(dir)).toThrow(join(dir, 'bid-sealing-key'));
  });
});
