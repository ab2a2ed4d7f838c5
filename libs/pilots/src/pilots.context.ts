import type { BoundedContext } from '@pcp/platform';
import { TendersEventsConsumer } from './integration/known-contracts';
import { PilotsModule, type PilotsOptions } from './pilots.module';
import { pilotsProjection } from './read-models/pilots.projection';

/** Pilots and deployment, with its own clock and consistency wait (tests set both). */
export function pilotsContextWith(options: PilotsOptions = {}): BoundedContext {
  return {
    name: 'pilots',
    module: PilotsModule.forRoot(options),
    projections: [pilotsProjection],
    consumers: [TendersEventsConsumer],
  };
}

/** Testbeds, pilots of contracted innovations, TRL assessments, deployment and roll-out. */
export const pilotsContext: BoundedContext = pilotsContextWith();
