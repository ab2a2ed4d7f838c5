import type { BoundedContext } from '@pcp/platform';
import { JourneysConsumer } from './integration/journeys.consumer';
import { PipelineModule } from './pipeline.module';

/** Where each innovation is, how it got there, who decided what and when; with integrity proofs. */
export const pipelineContext: BoundedContext = {
  name: 'pipeline',
  module: PipelineModule,
  consumers: [JourneysConsumer],
};
