import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditService } from '@pcp/http';
import {
  AUDIT_SOURCES,
  LocalAuditSource,
  RemoteAuditSource,
  type AuditSource,
} from './audit-sources';
import { AUDIT_SOURCE_NAME, StoreAudit } from './store-audit';
import { StoreAuditController } from './store-audit.controller';

export interface StoreAuditOptions {
  /** This service's name: `platform` embedded, else its context's. */
  service: string;
  /** The other services whose stores an aggregated audit covers (AUDIT_SERVICES). */
  services: AuditService[];
}

/**
 * Every service's audit of its own store at `/internal/audit`, and the list of stores an
 * aggregated audit covers (AUDIT_SOURCES): this one first, then the configured others.
 */
@Module({})
export class StoreAuditModule {
  static forRoot(options: StoreAuditOptions): DynamicModule {
    return {
      module: StoreAuditModule,
      global: true,
      controllers: [StoreAuditController],
      providers: [
        { provide: AUDIT_SOURCE_NAME, useValue: options.service },
        StoreAudit,
        {
          provide: AUDIT_SOURCES,
          useFactory: (own: StoreAudit): AuditSource[] => [
            new LocalAuditSource(own),
            ...options.services
              .filter((s) => s.context !== options.service)
              .map((s) => new RemoteAuditSource(s)),
          ],
          inject: [StoreAudit],
        },
      ],
      exports: [StoreAudit, AUDIT_SOURCES],
    };
  }
}
