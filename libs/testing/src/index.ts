export {};
export * from './decider/decider-specification';
