export * from './errors';
export * from './route-rule';
export * from './consultation';
