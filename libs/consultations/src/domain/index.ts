export * from './errors';
export * from './text-rules';
export * from './route-rule';
export * from './consultation';
