export * from './config/platform-config';
export * from './config/jwt-secret';
export * from './logging/logging.module';
export * from './health/readiness';
export * from './health/health.module';
export * from './metrics/metrics';
export * from './openapi/openapi';
export * from './bootstrap/run-service';
