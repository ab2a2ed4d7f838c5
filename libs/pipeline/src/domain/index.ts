export * from './journey';
export * from './statistics';
