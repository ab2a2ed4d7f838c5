import type { DynamicModule, Type } from '@nestjs/common';
import type { ContextName } from '@pcp/contracts';
import type { Projection } from '@pcp/documents';
import type { UpcasterStep } from '@pcp/eventsourcing';
import type { IntegrationConsumer, IntegrationTranslator } from '@pcp/messaging';

/**
 * What a bounded context hands to the platform: its Nest module (controllers and
 * providers), the read models it projects from its own log, the consumers that react to
 * other contexts' integration events, and how its events are published. The same
 * definition runs embedded (one process, consumers fed from the log) and distributed
 * (one service per context, Kafka between them).
 */
export interface BoundedContext {
  name: ContextName;
  module: Type<unknown> | DynamicModule;
  projections?: Projection[];
  /** Provider classes of `module` implementing IntegrationConsumer. */
  consumers?: Type<IntegrationConsumer>[];
  /** Default: every stored event named like one of the context's declared integration events. */
  translator?: IntegrationTranslator;
  /** How its events stored at an older `schemaVersion` are read in their current shape. */
  upcasters?: UpcasterStep[];
}
