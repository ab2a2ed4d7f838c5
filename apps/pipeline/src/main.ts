import { pipelineContext } from '@pcp/pipeline';
import { runPlatformService } from '@pcp/platform';

// The pipeline context as its own service (distributed setup): it follows every context over Kafka.
runPlatformService({
  service: 'pipeline',
  contexts: [pipelineContext],
  title: 'Pipeline service',
  description:
    "Innovation journeys across every context, timelines, funnel and stage-duration analytics, and the audit of the service's event store.",
});
