export {};
export * from './decider';
