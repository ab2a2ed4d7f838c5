export * from './errors';
export * from './text-rules';
export * from './need';
export * from './buyers-group';
