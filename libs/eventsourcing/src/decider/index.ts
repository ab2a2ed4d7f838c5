export * from './decider';
export * from './errors';
export * from './handle-command';
export * from './text-rules';
