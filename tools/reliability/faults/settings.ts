import { join } from 'node:path';

/** What a fault run does, all from PCP_FAULTS_* variables so that a checker can change it. */
export interface FaultSettings {
  /** Where the run's own engines keep their data (never the shared engines' folder). */
  dir: string;
  ports: { postgres: number; kafka: number; kafkaController: number; mongo: number };
  /** Commands sent per scenario. */
  commands: number;
  /** Commands in flight at once. */
  concurrency: number;
  /** Commands started per second at most: a steady load rather than a burst. */
  rate: number;
  /** The fault is injected once this many commands were sent. */
  faultAfter: number;
  /** How long the failed part stays down (s). */
  downSeconds: number;
  /** Upper bound of the whole scenario (s); the run fails when it is exceeded. */
  maxSeconds: number;
  /** Time allowed for read models and consumers to catch up after the load (s). */
  settleSeconds: number;
  /** Any answer slower than this counts as a hang (ms). */
  answerBoundMs: number;
  /** The service killed by `kill-service` and whose relay `relay` interrupts. */
  service: string;
  /** Keep the run's database, read models and logs for inspection. */
  keep: boolean;
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number`);
  return value;
};

export const SERVICES = ['needs', 'consultations', 'tenders', 'pilots', 'pipeline'] as const;
export type ServiceName = (typeof SERVICES)[number];

export function faultSettings(env: NodeJS.ProcessEnv = process.env): FaultSettings {
  const commands = int(env, 'PCP_FAULTS_COMMANDS', 600);
  const service = env['PCP_FAULTS_SERVICE'] ?? 'needs';
  if (!(SERVICES as readonly string[]).includes(service)) {
    throw new Error(`PCP_FAULTS_SERVICE must be one of ${SERVICES.join(', ')}`);
  }
  return {
    dir: env['PCP_FAULTS_DIR'] ?? join('/tmp', 'pcp-faults'),
    ports: {
      postgres: int(env, 'PCP_FAULTS_POSTGRES_PORT', 55329),
      kafka: int(env, 'PCP_FAULTS_KAFKA_PORT', 59192),
      kafkaController: int(env, 'PCP_FAULTS_KAFKA_CONTROLLER_PORT', 59193),
      mongo: int(env, 'PCP_FAULTS_MONGO_PORT', 57117),
    },
    commands,
    concurrency: Math.max(1, int(env, 'PCP_FAULTS_CONCURRENCY', 4)),
    rate: Math.max(1, int(env, 'PCP_FAULTS_RATE', 20)),
    faultAfter: int(env, 'PCP_FAULTS_FAULT_AFTER', Math.floor(commands / 3)),
    downSeconds: int(env, 'PCP_FAULTS_DOWN_SECONDS', 5),
    maxSeconds: int(env, 'PCP_FAULTS_MAX_SECONDS', 300),
    settleSeconds: int(env, 'PCP_FAULTS_SETTLE_SECONDS', 120),
    answerBoundMs: int(env, 'PCP_FAULTS_ANSWER_BOUND_MS', 8000),
    service,
    keep: env['PCP_FAULTS_KEEP'] === '1',
  };
}
