/** The consultations bounded context: domain, application, HTTP and its Nest module. */
export { CONTEXT } from './application/streams';
export { consultationsContext, consultationsContextWith } from './consultations.context';
export { ConsultationsModule, type ConsultationsOptions } from './consultations.module';
export { type Clock, DEFAULT_CONSISTENCY_WAIT_MS } from './application/settings';
export { consultationsProjection } from './read-models/consultations.projection';
export { consultationsTranslator } from './integration/consultations-translator';
export { NeedsEventsConsumer } from './integration/known-subjects';
export type { ConsultationView } from './read-models/consultation-view';
