export {
  requireEngine,
  eventStoreDbUrl,
  describeEventStoreDb,
  uniqueName,
  createTestDatabase,
  EVENTSTOREDB_SKIP_REASON,
  type EngineName,
  type TestDatabase,
} from './engines/engines';
export * from './decider/decider-specification';
export * from './processes/services';
export * from './network/cuttable-tcp-link';
