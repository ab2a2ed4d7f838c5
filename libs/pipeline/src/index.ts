/** The pipeline bounded context: journeys, timelines, analytics and audit over every context's events. */
export const CONTEXT = 'pipeline' as const;
export * from './domain';
export { pipelineContext } from './pipeline.context';
export { PipelineModule } from './pipeline.module';
export { JourneysConsumer } from './integration/journeys.consumer';
export { PIPELINE_COLLECTIONS } from './integration/collections';
