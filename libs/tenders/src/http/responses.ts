import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PPI_PROCEDURES, PROCEDURES } from '@pcp/contracts';
import { CriterionDto, LotDto, TENDER_STATUSES } from './tender.dto';
import { ContactPersonResponse } from '@pcp/http';

export class PhasePlanResponse {
  @ApiProperty({ example: 1 })
  number!: number;
  @ApiProperty({ example: 'SOLUTION_DESIGN' })
  name!: string;
  @ApiProperty({ example: 250000 })
  budgetEur!: number;
  @ApiProperty({ example: 3 })
  durationMonths!: number;
  @ApiProperty({ example: 5 })
  maxSuppliers!: number;
}

export class DeliverableState {
  @ApiProperty({ format: 'uuid' })
  deliverableId!: string;
  @ApiProperty({ example: 'Solution design report' })
  title!: string;
  @ApiProperty()
  accepted!: boolean;
}

export class ContractResponse {
  @ApiProperty({ format: 'uuid' })
  contractId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'PCP: one per selected supplier.' })
  frameworkAgreementId!: string | null;
  @ApiProperty({ example: 1 })
  phase!: number;
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ format: 'uuid' })
  innovationId!: string;
  @ApiProperty({ example: 'org-medtech-sme' })
  supplierOrg!: string;
  @ApiProperty({ nullable: true, type: String })
  lotId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The phase n-1 contract it continues.',
  })
  previousContractId!: string | null;
  @ApiProperty({ enum: ['RUNNING', 'PASSED', 'FAILED'] })
  status!: string;
  @ApiPropertyOptional({
    type: [DeliverableState],
    description: 'For the procurer, auditors and the contract holder.',
  })
  deliverables?: DeliverableState[];
  @ApiPropertyOptional({ nullable: true, type: Number })
  assessedTrl?: number | null;
}

export class TenderResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'org-sergas' })
  org!: string;
  @ApiProperty({ format: 'uuid' })
  consultationId!: string;
  @ApiProperty({ enum: PROCEDURES })
  procedure!: string;
  @ApiProperty({ enum: PPI_PROCEDURES, nullable: true })
  ppiProcedure!: string | null;
  @ApiProperty({ example: 'PCP: early warning of sepsis' })
  title!: string;
  @ApiProperty()
  description!: string;
  @ApiProperty({ example: 3000000 })
  budgetEur!: number;
  @ApiProperty({ format: 'date-time' })
  submissionDeadline!: string;
  @ApiProperty({ type: [CriterionDto] })
  criteria!: CriterionDto[];
  @ApiProperty({ type: [PhasePlanResponse] })
  phases!: PhasePlanResponse[];
  @ApiProperty({ type: [LotDto] })
  lots!: LotDto[];
  @ApiProperty({ type: [String], example: ['ES11'] })
  regions!: string[];
  @ApiProperty({ enum: TENDER_STATUSES })
  status!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  publishedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The running or last completed phase.',
  })
  phase!: number | null;
  @ApiPropertyOptional({
    description:
      'For the contracting organisation and auditors: bids standing (before opening) or opened.',
  })
  bidCount?: number;
  @ApiProperty({ type: [ContractResponse], description: 'Public from the award on.' })
  contracts!: ContractResponse[];
  @ApiProperty({ description: 'Send it as If-Match.', example: 1 })
  revision!: number;
}

export class TenderPage {
  @ApiProperty({ type: [TenderResponse] })
  items!: TenderResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class SubmittedBidResponse {
  @ApiProperty({ format: 'uuid', description: 'The bid id (kept on replacement).' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty({ format: 'uuid', description: 'From the consultation, or new.' })
  innovationId!: string;
  @ApiProperty({ description: 'True when it replaced your standing bid (200).' })
  replaced!: boolean;
  @ApiProperty()
  revision!: number;
}

export class BidResponse {
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty()
  supplierOrg!: string;
  @ApiProperty({ format: 'uuid' })
  innovationId!: string;
  @ApiProperty()
  priceEur!: number;
  @ApiProperty()
  technicalProposal!: string;
  @ApiProperty()
  declaredTrl!: number;
  @ApiProperty({ nullable: true, type: String })
  lotId!: string | null;
  @ApiProperty({ type: ContactPersonResponse, nullable: true })
  contact!: ContactPersonResponse | null;
  @ApiProperty({ enum: ['SEALED', 'WITHDRAWN', 'OPENED', 'REJECTED'] })
  status!: string;
  @ApiPropertyOptional({ nullable: true, type: String })
  rejection?: string | null;
  @ApiProperty({
    description:
      'True when the bid was placed before a material amendment of the call and not replaced since: the bidder is asked to reconfirm it (replace it) before the deadline.',
  })
  reconfirmationPending!: boolean;
}

export class BidsResponse {
  @ApiPropertyOptional({ description: 'Before opening, all the procurer gets.' })
  count?: number;
  @ApiPropertyOptional({ type: [BidResponse] })
  items?: BidResponse[];
}

export class RankedBidResponse {
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ nullable: true, type: String })
  lotId!: string | null;
  @ApiProperty({ example: 1 })
  rank!: number;
  @ApiProperty({ example: 84.5 })
  weightedScore!: number;
}

export class RankingResponse {
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty({ description: 'True once every admissible bid is scored by every evaluator.' })
  complete!: boolean;
  @ApiProperty({ type: [RankedBidResponse] })
  items!: RankedBidResponse[];
}

export class PhaseContract {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  contractId!: string;
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ format: 'uuid' })
  innovationId!: string;
  @ApiProperty()
  supplierOrg!: string;
  @ApiProperty({ nullable: true, type: String })
  frameworkAgreementId!: string | null;
  @ApiProperty({ nullable: true, type: String })
  previousContractId!: string | null;
}

export class PhaseContractsResponse {
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty()
  phase!: number;
  @ApiProperty({ enum: TENDER_STATUSES })
  status!: string;
  @ApiProperty({ type: [PhaseContract] })
  contracts!: PhaseContract[];
  @ApiProperty()
  revision!: number;
}

export class DeliverableResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty({ format: 'uuid' })
  contractId!: string;
  @ApiProperty()
  title!: string;
  @ApiProperty()
  accepted!: boolean;
  @ApiProperty()
  revision!: number;
}

export class ParticipationBid {
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ enum: ['SEALED', 'WITHDRAWN', 'OPENED', 'REJECTED'] })
  status!: string;
  @ApiProperty()
  priceEur!: number;
}

export class Participation {
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty()
  title!: string;
  @ApiProperty({ enum: PROCEDURES })
  procedure!: string;
  @ApiProperty({ enum: TENDER_STATUSES })
  status!: string;
  @ApiProperty({ nullable: true, type: Number })
  phase!: number | null;
  @ApiProperty({ type: [ParticipationBid] })
  bids!: ParticipationBid[];
  @ApiProperty({
    type: [ContractResponse],
    description: "Your organisation's contracts, per phase.",
  })
  contracts!: ContractResponse[];
  @ApiProperty({
    description: 'Running contracts without an accepted deliverable yet.',
    type: 'array',
    items: {
      type: 'object',
      properties: { contractId: { type: 'string' }, phase: { type: 'integer' } },
    },
  })
  deliverablesDue!: Array<{ contractId: string; phase: number }>;
  @ApiProperty({
    nullable: true,
    description:
      'SUBMISSION at the submission deadline while bids are open; PHASE_END at the end of the running phase (its start plus its duration).',
    type: 'object',
    additionalProperties: true,
  })
  nextDeadline!: Record<string, unknown> | null;
}

export class ParticipationsResponse {
  @ApiProperty({ type: [Participation] })
  items!: Participation[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as ?cursor= for the next page; null on the last.',
  })
  nextCursor!: string | null;
}

export class ConflictResponse {
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty()
  conflict!: boolean;
  @ApiProperty()
  revision!: number;
}

export class ScoresResponse {
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      properties: { criterion: { type: 'string' }, score: { type: 'number' } },
    },
  })
  scores!: Array<{ criterion: string; score: number }>;
  @ApiProperty({ description: 'True when this was the last score the evaluation waited for.' })
  evaluationComplete!: boolean;
  @ApiProperty()
  revision!: number;
}

export class WithdrawnBidResponse {
  @ApiProperty({ format: 'uuid' })
  bidId!: string;
  @ApiProperty({ format: 'uuid' })
  tenderId!: string;
  @ApiProperty({ example: 'WITHDRAWN' })
  status!: string;
  @ApiProperty()
  revision!: number;
}
