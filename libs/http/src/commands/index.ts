export * from './correlation';
export * from './if-match';
export * from './command-metadata';
export * from './idempotency/idempotency-store';
export * from './idempotency/request-fingerprint';
export * from './idempotency/idempotency.guard';
export * from './command-http.module';
export * from './idempotency/postgres-idempotency-store';
