import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

export const EVENT_STORES = ['pglite', 'postgres', 'eventstoredb'] as const;
export const READ_MODEL_STORES = ['memory', 'mongo'] as const;
export const INTEGRATION_TRANSPORTS = ['log', 'kafka'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every setting a service reads from its environment, validated at start so that a typo
 * stops the process with a readable message instead of failing later.
 */
export class PlatformConfig {
  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  /** HS256 secret; generated into DATA_DIR when neither it nor AUTH_JWKS_URL is set. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTH_JWKS_URL?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsIn(EVENT_STORES)
  EVENT_STORE: (typeof EVENT_STORES)[number] = 'pglite';

  /** PostgreSQL schema of the event store: one per service when services share a server. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, {
    message: 'EVENT_STORE_SCHEMA must be a lower-case SQL identifier',
  })
  EVENT_STORE_SCHEMA = 'eventstore';

  @ValidateIf((c: PlatformConfig) => c.EVENT_STORE === 'postgres' || c.DATABASE_URL !== undefined)
  @IsString({ message: 'DATABASE_URL is required when EVENT_STORE=postgres' })
  @Transform(emptyToUndefined)
  DATABASE_URL?: string;

  @ValidateIf(
    (c: PlatformConfig) => c.EVENT_STORE === 'eventstoredb' || c.EVENTSTOREDB_URL !== undefined,
  )
  @IsString({ message: 'EVENTSTOREDB_URL is required when EVENT_STORE=eventstoredb' })
  @Transform(emptyToUndefined)
  EVENTSTOREDB_URL?: string;

  @IsIn(INTEGRATION_TRANSPORTS)
  INTEGRATION: (typeof INTEGRATION_TRANSPORTS)[number] = 'log';

  @ValidateIf((c: PlatformConfig) => c.INTEGRATION === 'kafka' || c.KAFKA_BROKERS !== undefined)
  @IsString({ message: 'KAFKA_BROKERS is required when INTEGRATION=kafka' })
  @Transform(emptyToUndefined)
  KAFKA_BROKERS?: string;

  /** Put before every topic name (`<prefix>pcp.<context>.events`): isolates test runs. */
  @Matches(/^[A-Za-z0-9._-]{0,100}$/, {
    message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, dot, dash and underscore',
  })
  KAFKA_TOPIC_PREFIX = '';

  @IsIn(READ_MODEL_STORES)
  // Kafka consumer groups keep their offsets: their effects must be kept too.
  @ValidateIf((c: PlatformConfig) => c.INTEGRATION === 'kafka')
  @IsIn(['mongo'], { message: 'READ_MODELS must be mongo when INTEGRATION=kafka' })
  READ_MODELS: (typeof READ_MODEL_STORES)[number] = 'memory';

  @ValidateIf((c: PlatformConfig) => c.READ_MODELS === 'mongo' || c.MONGO_URL !== undefined)
  @IsString({ message: 'MONGO_URL is required when READ_MODELS=mongo' })
  @Transform(emptyToUndefined)
  MONGO_URL?: string;

  /** How often an integrity anchor (Merkle root over every stream head) is recorded; 0: never. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  ANCHOR_INTERVAL_MS = 3_600_000;

  /** How long a graceful shutdown may take before the process exits anyway. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}

const CONFIG_KEYS: (keyof PlatformConfig)[] = [
  'HOST',
  'PORT',
  'DATA_DIR',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'LOG_LEVEL',
  'EVENT_STORE',
  'EVENT_STORE_SCHEMA',
  'DATABASE_URL',
  'EVENTSTOREDB_URL',
  'INTEGRATION',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC_PREFIX',
  'READ_MODELS',
  'MONGO_URL',
  'SHUTDOWN_TIMEOUT_MS',
  'ANCHOR_INTERVAL_MS',
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const raw: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value !== undefined) raw[key] = value;
  }
  const config = plainToInstance(PlatformConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config);
  if (errors.length > 0) {
    throw new ConfigError(
      errors.flatMap((e) =>
        Object.values(e.constraints ?? {}).map((m) =>
          m.startsWith(e.property)
            ? `${m} (got ${JSON.stringify(raw[e.property] ?? null)})`
            : `${e.property}: ${m}`,
        ),
      ),
    );
  }
  return config;
}
