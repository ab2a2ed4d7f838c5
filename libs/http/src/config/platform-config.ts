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
  ValidateBy,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { bidSealingKeyProblem } from './data-dir-secrets';

export const EVENT_STORES = ['pglite', 'postgres', 'eventstoredb'] as const;
export const READ_MODEL_STORES = ['memory', 'mongo'] as const;
export const INTEGRATION_TRANSPORTS = ['log', 'kafka'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** A number setting that may not exceed another one. */
const NotAbove = (other: string) =>
  ValidateBy({
    name: 'notAbove',
    constraints: [other],
    validator: {
      validate: (value: unknown, args) => {
        const limit = (args?.object as Record<string, unknown> | undefined)?.[other];
        return typeof value !== 'number' || typeof limit !== 'number' || value <= limit;
      },
      defaultMessage: (args) => `${args?.property ?? 'value'} must not exceed ${other}`,
    },
  });

const AUDIT_SERVICE = '(needs|consultations|tenders|pilots|pipeline)=https?://[^,\\s]+';
const AUDIT_SERVICES_FORMAT = new RegExp(`^${AUDIT_SERVICE}(,${AUDIT_SERVICE})*$`);

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

  /**
   * The tenders context's master key sealing bids at rest until opening (32 bytes, base64);
   * generated into DATA_DIR when unset. Its value is never echoed in an error.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'bidSealingKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && !bidSealingKeyProblem(value),
      defaultMessage: () =>
        'the bid sealing key must be 32 random bytes in base64 (for example `openssl rand -base64 32`)',
    },
  })
  BID_SEALING_KEY?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsIn(EVENT_STORES)
  EVENT_STORE: (typeof EVENT_STORES)[number] = 'pglite';

  /**
   * The service's part of a shared event store (one per service): the schema of its tables on
   * PostgreSQL, the prefix of its streams on EventStoreDB.
   */
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

  /**
   * Put before every topic name (`<prefix>pcp.<context>.events`) and consumer group name:
   * isolates deployments or test runs sharing a broker.
   */
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

  /**
   * In-memory read models are saved to DATA_DIR at stop and taken back at the next start
   * (when the code and the log are the same), instead of being rebuilt from the whole log.
   */
  @IsIn(['on', 'off'])
  READ_MODEL_SNAPSHOT: 'on' | 'off' = 'on';

  /** How often an integrity anchor (Merkle root over every stream head) is recorded; 0: never. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  ANCHOR_INTERVAL_MS = 3_600_000;

  /**
   * How long a graceful shutdown may take before the process exits anyway; embedded, it
   * includes saving the read models (about 11 s for a log of a million events).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 60_000;

  /**
   * Where the pipeline reads the other services' audit (distributed setup): comma-separated
   * `<context>=<base URL>`, e.g. `needs=http://needs:3000,tenders=http://tenders:3000`. Unset
   * (embedded): every context shares one log and the audit reads it directly.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(AUDIT_SERVICES_FORMAT, {
    message:
      'AUDIT_SERVICES must be a comma-separated list of <context>=<http(s) URL> (contexts: needs, consultations, tenders, pilots, pipeline)',
  })
  AUDIT_SERVICES?: string;

  /**
   * Browser origins allowed to call the API (comma-separated, e.g.
   * `https://app.example.eu,http://localhost:5173`); empty: no cross-origin access.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(,https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)*$/, {
    message:
      'CORS_ORIGINS must be a comma-separated list of origins like https://app.example.eu (scheme, host and optional port, no path)',
  })
  CORS_ORIGINS?: string;

  /** Writes (POST, PUT, PATCH, DELETE) one caller may send per window; 0: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_WRITES = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  RATE_LIMIT_WINDOW_MS = 60_000;

  /**
   * Longest a request may take: receiving it (the connection is closed with 408) and
   * handling it (answered 503 in the API error shape).
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  REQUEST_TIMEOUT_MS = 30_000;

  /** Longest a client may take to send the request headers (slow-header attacks). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @NotAbove('REQUEST_TIMEOUT_MS')
  HEADERS_TIMEOUT_MS = 10_000;
}

/** The service's validated configuration, for modules that read a setting of their own. */
export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');

const CONFIG_KEYS: (keyof PlatformConfig)[] = [
  'HOST',
  'PORT',
  'DATA_DIR',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'BID_SEALING_KEY',
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
  'READ_MODEL_SNAPSHOT',
  'SHUTDOWN_TIMEOUT_MS',
  'ANCHOR_INTERVAL_MS',
  'AUDIT_SERVICES',
  'CORS_ORIGINS',
  'RATE_LIMIT_WRITES',
  'RATE_LIMIT_WINDOW_MS',
  'REQUEST_TIMEOUT_MS',
  'HEADERS_TIMEOUT_MS',
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

/** A service whose store the pipeline's audit reads (AUDIT_SERVICES). */
export interface AuditService {
  context: string;
  url: string;
}

/** AUDIT_SERVICES as a list; a context named twice is a ConfigError. */
export function auditServicesOf(config: Pick<PlatformConfig, 'AUDIT_SERVICES'>): AuditService[] {
  if (!config.AUDIT_SERVICES) return [];
  const services = config.AUDIT_SERVICES.split(',').map((entry) => {
    const at = entry.indexOf('=');
    return { context: entry.slice(0, at), url: entry.slice(at + 1).replace(/\/+$/, '') };
  });
  const twice = services.find((s, i) => services.findIndex((o) => o.context === s.context) !== i);
  if (twice) throw new ConfigError([`AUDIT_SERVICES names ${twice.context} twice`]);
  for (const service of services) {
    try {
      new URL(service.url);
    } catch {
      throw new ConfigError([`AUDIT_SERVICES: ${service.url} is not a URL`]);
    }
  }
  return services;
}
