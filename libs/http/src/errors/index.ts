export * from './api-error';
export * from './validation';
export * from './api-exception.filter';
export * from './unavailable';
export * from './method-not-allowed';
