export * from './errors';
export * from './need';
export * from './buyers-group';
