import { Module } from '@nestjs/common';
import { PipelineAnalytics } from './application/analytics';
import { AuditTrail } from './application/audit';
import { InnovationQueries } from './application/innovation-queries';
import { AnalyticsController } from './http/analytics.controller';
import { AuditController } from './http/audit.controller';
import { InnovationsController } from './http/innovations.controller';
import { JourneysConsumer } from './integration/journeys.consumer';

/**
 * The pipeline's read side and audit: journeys learned from every context's integration
 * events, timelines, analytics, and the audit of the log. It relies on the service's
 * EVENT_STORE, ANCHOR_STORE and DOCUMENT_STORE and owns no decisions.
 */
@Module({
  controllers: [InnovationsController, AuditController, AnalyticsController],
  providers: [InnovationQueries, AuditTrail, PipelineAnalytics, JourneysConsumer],
  exports: [JourneysConsumer],
})
export class PipelineModule {}
