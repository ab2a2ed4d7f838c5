import type { BoundedContext } from '@pcp/platform';
import { ConsultationsModule, type ConsultationsOptions } from './consultations.module';
import { consultationsTranslator } from './integration/consultations-translator';
import { NeedsEventsConsumer } from './integration/known-subjects';
import { consultationsProjection } from './read-models/consultations.projection';

/** Market consultation, with its own clock and consistency wait (tests set both). */
export function consultationsContextWith(options: ConsultationsOptions = {}): BoundedContext {
  return {
    name: 'consultations',
    module: ConsultationsModule.forRoot(options),
    projections: [consultationsProjection],
    consumers: [NeedsEventsConsumer],
    translator: consultationsTranslator,
  };
}

/** Market consultation: prior information notice, responses, clarifications, route decision. */
export const consultationsContext: BoundedContext = consultationsContextWith();
