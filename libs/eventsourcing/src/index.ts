export {};
export * from './decider';
export * from './store/event-store';
