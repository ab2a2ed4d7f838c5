import type { BoundedContext } from '@pcp/platform';
import { ConsultationsEventsConsumer } from './integration/known-consultations';
import { tendersTranslator } from './integration/tenders-translator';
import { bidsProjection } from './read-models/bids.projection';
import { tendersProjection } from './read-models/tenders.projection';
import { TendersModule, type TendersOptions } from './tenders.module';

/** Tenders, with its own clock, consistency wait and deadline check interval (tests set them). */
export function tendersContextWith(options: TendersOptions = {}): BoundedContext {
  return {
    name: 'tenders',
    module: TendersModule.forRoot(options),
    projections: [tendersProjection, bidsProjection],
    consumers: [ConsultationsEventsConsumer],
    translator: tendersTranslator,
  };
}

/** PCP and PPI calls: sealed bids, evaluation, award, phases, down-selection, OCDS export. */
export const tendersContext: BoundedContext = tendersContextWith();
