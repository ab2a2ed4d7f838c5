/** The pilots bounded context: domain, application, HTTP and its Nest module. */
export { CONTEXT } from './application/streams';
export * from './domain';
export { pilotsContext, pilotsContextWith } from './pilots.context';
export { PilotsModule, type PilotsOptions } from './pilots.module';
export { type Clock, DEFAULT_CONSISTENCY_WAIT_MS } from './application/settings';
export { pilotsProjection } from './read-models/pilots.projection';
export { TendersEventsConsumer } from './integration/known-contracts';
export type { PilotView, TestbedView } from './read-models/pilot-view';
