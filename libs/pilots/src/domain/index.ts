export * from './errors';
export * from './assessed-trl';
export * from './outcome';
export * from './testbed';
export * from './pilot';
