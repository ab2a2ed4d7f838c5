/**
 * Everything kafkajs lives under src/kafka: the rest of the platform speaks to the
 * IntegrationEventPublisher port and to IntegrationSource, so a successor client
 * (@platformatic/kafka, @confluentinc/kafka-javascript) replaces these files only.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel, type logCreator } from 'kafkajs';
import { stopIdleRequestQueueTimers } from './request-queue';

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Milliseconds to open a connection; default 3000. */
  connectionTimeout?: number;
  /** Milliseconds for a request; default 30 000. */
  requestTimeout?: number;
  /**
   * Rewrites broker addresses before connecting, for networks where the addresses the
   * brokers advertise are not the ones this process can reach (port forwards, tunnels).
   */
  route?: (address: BrokerAddress) => BrokerAddress;
  /** Receives kafkajs log lines at WARN and above; default: dropped. */
  log?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

export const parseBrokers = (list: string): string[] =>
  list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

export function createKafka(options: KafkaConnectionOptions): Kafka {
  return new Kafka(kafkaConfig(options));
}

/** The kafkajs client settings, shared by our own clients and @nestjs/microservices' ClientKafka. */
export function kafkaConfig(options: KafkaConnectionOptions): KafkaConfig {
  // Every client of ours is configured here, before it opens a connection.
  stopIdleRequestQueueTimers();
  const config: KafkaConfig = {
    brokers: options.brokers,
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout ?? 30_000,
    // The relay and the consumers run their own backoff; keep the client's own short.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator: forwardLogs(options.log),
  };
  const route = options.route;
  if (route) {
    config.socketFactory = ({ host, port, ssl, onConnect }) => {
      const target = route({ host, port });
      const socket: Socket =
        ssl && Object.keys(ssl).length > 0
          ? tlsConnect(
              { ...ssl, host: target.host, port: target.port, servername: host },
              onConnect,
            )
          : connect({ host: target.host, port: target.port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    };
  }
  return config;
}

function forwardLogs(log: KafkaConnectionOptions['log']): logCreator {
  return () =>
    ({ level, log: entry }) => {
      if (!log || level > logLevel.WARN) return;
      const { message, ...extra } = entry;
      log(
        level === logLevel.ERROR || level === logLevel.NOTHING ? 'error' : 'warn',
        message,
        extra,
      );
    };
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
}

/** Creates missing topics (the relay's and their dead-letter companions). */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions ?? 3,
        replicationFactor: -1,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
