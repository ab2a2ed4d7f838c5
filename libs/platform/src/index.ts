export * from './bounded-context';
export * from './context-runtime';
export * from './read-models.module';
export * from './platform-core.module';
export * from './testing/test-app';
export * from './run-platform-service';
export * from './audit';
