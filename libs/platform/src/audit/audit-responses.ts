import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the audit of one store (and of bundles, which gather such parts). */
class StoreAuditActor {
  @ApiProperty() userId!: string;
  @ApiProperty({ type: String, nullable: true }) org!: string | null;
  @ApiProperty({ type: [String] }) roles!: string[];
}

export class StoreAuditEvent {
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() context!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ description: 'Decimal position in the store that holds it' })
  globalPosition!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty({ type: StoreAuditActor, nullable: true, description: 'Null when withheld' })
  actor!: StoreAuditActor | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: String, nullable: true }) causationId!: string | null;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
  @ApiProperty({ description: 'Null while a sealed bid is withheld' }) data!: unknown;
  @ApiProperty({ description: "A sealed bid withheld until its tender's opening" })
  sealed!: boolean;
}

export class StoreEventPageResponse {
  @ApiProperty({ type: [StoreAuditEvent] }) items!: StoreAuditEvent[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class IntegrityBreakResponse {
  @ApiProperty() streamId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty() problem!: string;
}

export class AnchorRefResponse {
  @ApiProperty() id!: string;
  @ApiProperty() root!: string;
  @ApiProperty() createdAt!: string;
}

export class StoreVerificationResponse {
  @ApiProperty({ description: 'The service whose store this is' }) source!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty() checkedStreams!: number;
  @ApiProperty() checkedEvents!: number;
  @ApiPropertyOptional({ type: IntegrityBreakResponse }) firstBroken?: IntegrityBreakResponse;
  @ApiProperty({ type: AnchorRefResponse, nullable: true }) anchor!: AnchorRefResponse | null;
}

class AnchoredHead {
  @ApiProperty() streamId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty() hash!: string;
}

export class StoreAnchor extends AnchorRefResponse {
  @ApiProperty() streamCount!: number;
  @ApiProperty() eventCount!: number;
  @ApiProperty({ type: [AnchoredHead] }) heads!: AnchoredHead[];
}

export class StoreAnchorPageResponse {
  @ApiProperty() source!: string;
  @ApiProperty({ type: [StoreAnchor] }) items!: StoreAnchor[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class BundleStream {
  @ApiProperty() streamId!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Every event as stored, revision and globalPosition as decimal strings',
  })
  events!: unknown[];
}

export class BundleAnchorResponse extends AnchorRefResponse {
  @ApiProperty() streamCount!: number;
}

class MerkleStepResponse {
  @ApiProperty({ enum: ['left', 'right'] }) side!: string;
  @ApiProperty() hash!: string;
}

class ProofHead {
  @ApiProperty() revision!: string;
  @ApiProperty() hash!: string;
}

export class BundleProof {
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: ProofHead }) head!: ProofHead;
  @ApiProperty({ type: [MerkleStepResponse] }) path!: MerkleStepResponse[];
}

class OpenedBidEvent {
  @ApiProperty() revision!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: StoreAuditActor }) actor!: StoreAuditActor;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty() data!: unknown;
}

export class OpenedBidStreamResponse {
  @ApiProperty() streamId!: string;
  @ApiProperty({ type: [OpenedBidEvent] }) events!: OpenedBidEvent[];
}

export class StoreBundlePartResponse {
  @ApiProperty() source!: string;
  @ApiProperty({ type: [BundleStream] }) streams!: BundleStream[];
  @ApiProperty({ type: BundleAnchorResponse, nullable: true }) anchor!: BundleAnchorResponse | null;
  @ApiProperty({ type: [BundleProof] }) proofs!: BundleProof[];
  @ApiProperty({ type: [String], description: 'Asked for, not held by this store' })
  missing!: string[];
  @ApiProperty({ type: [String], description: 'Sealed bids whose tender has not opened bids' })
  withheld!: string[];
  @ApiPropertyOptional({
    type: [OpenedBidStreamResponse],
    description:
      'Bids of opened tenders sealed at rest, as opened by the tenders context (the proofs cover the stored form)',
  })
  openedBids?: OpenedBidStreamResponse[];
}
