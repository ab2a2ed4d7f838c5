/**
 * Failures that mean a store or broker the service depends on cannot be reached right now
 * (down, restarting, refusing connections, or too slow to answer): the request may succeed
 * if retried later, so they are 503, never 500. Recognised by the drivers' own codes and
 * names (pg, mongodb/mongoose, kafkajs) and by Node's socket errors, through `cause` chains.
 */

// Node socket errors on the way to a server.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// PostgreSQL SQLSTATEs: the server is shutting down, starting, or out of connections.
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);

const MONGO_UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

const KAFKA_UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
]);

// pg's pool and client say these in plain messages, without a code.
const PG_MESSAGES = [
  /^timeout exceeded when trying to connect$/i,
  /^Connection terminated/i,
  /^Client has encountered a connection error and is not queryable$/i,
  /^Query read timeout$/i,
  /^Cannot use a pool after calling end on the pool$/i,
];

// Mongoose queues operations while disconnected and gives up after bufferTimeoutMS.
const MONGOOSE_BUFFERING = /buffering timed out after \d+ms$/;

interface DriverError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** True when the error (or one it wraps) says a store or broker is unavailable. */
export function isUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const e = error as DriverError;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (SOCKET_CODES.has(code)) return true;
  // SQLSTATE class 08: connection exceptions.
  if (/^08[0-9A-Z]{3}$/.test(code) || POSTGRES_UNAVAILABLE.has(code)) return true;
  if (MONGO_UNAVAILABLE_NAMES.has(name) || KAFKA_UNAVAILABLE_NAMES.has(name)) return true;
  if (name === 'MongooseError' && MONGOOSE_BUFFERING.test(message)) return true;
  if (PG_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // AggregateError (several addresses refused) and wrapped causes.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailable(inner, depth + 1)))
    return true;
  return isUnavailable(e.cause, depth + 1);
}

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;
