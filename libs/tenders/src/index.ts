/** The tenders bounded context: domain, application, HTTP and its Nest module. */
export { CONTEXT } from './application/streams';
export * from './domain';
export * from './ocds';
export { tendersContext, tendersContextWith } from './tenders.context';
export { TendersModule, type TendersOptions } from './tenders.module';
export { type Clock, DEFAULT_CONSISTENCY_WAIT_MS } from './application/settings';
export { DeadlineScheduler } from './application/deadline-scheduler';
export { SEALED_BID_ACTOR, DEADLINE_ACTOR } from './application/tender-commands';
export { tendersProjection } from './read-models/tenders.projection';
export { ConsultationsEventsConsumer } from './integration/known-consultations';
export { tendersTranslator } from './integration/tenders-translator';
export type { TenderView } from './read-models/tender-view';
