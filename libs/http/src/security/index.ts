export * from './cors';
export * from './http-hardening';
export * from './json-screen';
export * from './request-deadline';
export * from './security.module';
export * from './write-throttle.guard';
export * from './redaction';
