import { Module } from '@nestjs/common';
import { PipelineAnalytics } from './application/analytics';
import { AuditTrail } from './application/audit';
import { AuditBundles } from './application/audit-bundle';
import { InnovationQueries } from './application/innovation-queries';
import { AnalyticsController } from './http/analytics.controller';
import { AuditBundleController } from './http/audit-bundle.controller';
import { AuditController } from './http/audit.controller';
import { InnovationsController } from './http/innovations.controller';
import { JourneysConsumer } from './integration/journeys.consumer';

/**
 * The pipeline's read side and audit: journeys learned from every context's integration
 * events, timelines, analytics, and the audit of every context's log. It relies on the
 * service's DOCUMENT_STORE and the platform's AUDIT_SOURCES, and owns no decisions.
 */
@Module({
  controllers: [InnovationsController, AuditBundleController, AuditController, AnalyticsController],
  providers: [InnovationQueries, AuditTrail, AuditBundles, PipelineAnalytics, JourneysConsumer],
  exports: [JourneysConsumer],
})
export class PipelineModule {}
