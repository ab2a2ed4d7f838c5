import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AnchorRefResponse,
  BundleAnchorResponse,
  BundleProof,
  BundleStream,
  IntegrityBreakResponse,
  OpenedBidStreamResponse,
  StoreAnchor,
  StoreAuditEvent,
  StoreVerificationResponse,
} from '@pcp/platform';

/** OpenAPI shapes of the audit across every context's store. */
export class AuditEventsPage {
  @ApiProperty({ type: [StoreAuditEvent] }) items!: StoreAuditEvent[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class ContextBreakResponse extends IntegrityBreakResponse {
  @ApiProperty({ description: 'The context whose store holds the broken stream' })
  context!: string;
}

export class AuditVerification {
  @ApiProperty({ description: 'True only when every store verifies' }) ok!: boolean;
  @ApiProperty() checkedStreams!: number;
  @ApiProperty() checkedEvents!: number;
  @ApiPropertyOptional({ type: ContextBreakResponse }) firstBroken?: ContextBreakResponse;
  @ApiProperty({
    type: AnchorRefResponse,
    nullable: true,
    description: 'The anchor compared against when one store holds every context (embedded)',
  })
  anchor!: AnchorRefResponse | null;
  @ApiProperty({ type: [StoreVerificationResponse], description: 'Each store verified' })
  stores!: StoreVerificationResponse[];
}

class ListedAnchorResponse extends StoreAnchor {
  @ApiProperty({ description: 'The context (service) whose store recorded it' })
  context!: string;
}

export class AuditAnchorsPage {
  @ApiProperty({ type: [ListedAnchorResponse] }) items!: ListedAnchorResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class SourcedAnchor extends BundleAnchorResponse {
  @ApiProperty({ description: 'The service whose store the anchor covers' }) source!: string;
}

class SourcedProof extends BundleProof {
  @ApiProperty({ description: 'The source of the anchor the path leads to' }) source!: string;
}

export class AuditBundleResponse {
  @ApiProperty({ enum: ['pcp-audit-bundle'] }) format!: string;
  @ApiProperty({ enum: [2] }) version!: number;
  @ApiProperty({ example: 'innovation:3f2c…' }) subject!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [BundleStream] }) streams!: BundleStream[];
  @ApiProperty({ type: [SourcedAnchor] }) anchors!: SourcedAnchor[];
  @ApiProperty({ type: [SourcedProof] }) proofs!: SourcedProof[];
  @ApiProperty({ type: [String], description: 'Streams of the record no store holds' })
  missing!: string[];
  @ApiProperty({ type: [String], description: 'Sealed bids left out until their opening' })
  withheld!: string[];
  @ApiProperty({
    type: [OpenedBidStreamResponse],
    description:
      'Bids of opened tenders sealed at rest, as opened by the tenders context: the proofs cover their stored (sealed) events above',
  })
  openedBids!: OpenedBidStreamResponse[];
}
