import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EventEnvelope } from '@pcp/eventsourcing';

export class HistoryActor {
  @ApiProperty({ example: 'u-ana' })
  userId!: string;
  @ApiProperty({ nullable: true, type: String, example: 'sergas' })
  org!: string | null;
  @ApiProperty({ type: [String], example: ['procurer'] })
  roles!: string[];
}

/** One recorded change of an aggregate, as `GET .../{id}/history` shows it. */
export class HistoryItem {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;
  @ApiProperty({ example: 'NeedValidated' })
  type!: string;
  @ApiProperty({ example: 1 })
  schemaVersion!: number;
  @ApiProperty({ description: 'Position in the aggregate stream, from 0', example: 1 })
  revision!: number;
  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;
  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
  @ApiProperty({ type: HistoryActor })
  actor!: HistoryActor;
  @ApiProperty({ nullable: true, type: String, example: 'Confirmed by the clinical board' })
  reason!: string | null;
  @ApiProperty()
  correlationId!: string;
  @ApiPropertyOptional({ nullable: true, type: String })
  causationId!: string | null;
  @ApiProperty({ description: 'SHA-256 of the previous event of the stream' })
  prevHash!: string;
  @ApiProperty({ description: 'SHA-256 over prevHash and the canonical envelope' })
  hash!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: unknown;
}

export class HistoryResponse {
  @ApiProperty({ example: 'needs-need-6f1c…' })
  streamId!: string;
  @ApiProperty({ type: [HistoryItem] })
  items!: HistoryItem[];
}

/**
 * A stored event as history shows it. `redact` lets a context replace what a reader may not
 * see (a sealed bid's content) without dropping the event, so the chain stays checkable.
 */
export function toHistoryItem(
  envelope: EventEnvelope,
  redact?: (data: unknown) => unknown,
): HistoryItem {
  return {
    eventId: envelope.id,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    revision: Number(envelope.revision),
    occurredAt: envelope.occurredAt,
    recordedAt: envelope.recordedAt,
    actor: {
      userId: envelope.actor.userId,
      org: envelope.actor.org,
      roles: [...envelope.actor.roles],
    },
    reason: envelope.reason,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    prevHash: envelope.prevHash,
    hash: envelope.hash,
    data: redact ? redact(envelope.data) : envelope.data,
  };
}
