import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { FREE_TEXT_LIMIT, PPI_PROCEDURES, PROCEDURES } from '@pcp/contracts';
import { TITLE_LIMIT } from '@pcp/eventsourcing';
import { ContactPersonDto, IsNotBlank, ListQueryDto, MaxCharactersWithoutSpaces } from '@pcp/http';

export const TENDER_STATUSES = [
  'DRAFT',
  'PUBLISHED',
  'BIDS_CLOSED',
  'BIDS_OPENED',
  'EVALUATING',
  'AWARDED',
  'IN_PHASE',
  'PHASE_REVIEW',
  'COMPLETED',
  'CANCELLED',
  'UNSUCCESSFUL',
] as const;
const WITH_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;
const ID_LIMIT = 200;

export class CriterionDto {
  @ApiProperty({ example: 'quality' })
  @IsString()
  @IsNotBlank()
  @MaxLength(ID_LIMIT)
  name!: string;

  @ApiProperty({ description: 'Weights of all criteria add up to 100.', example: 80 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  weight!: number;
}

export class PhaseDto {
  @ApiPropertyOptional({ example: 'SOLUTION_DESIGN' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(ID_LIMIT)
  name?: string;

  @ApiProperty({ example: 250000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  budgetEur!: number;

  @ApiProperty({ example: 3 })
  @IsInt()
  durationMonths!: number;

  @ApiProperty({ example: 5 })
  @IsInt()
  maxSuppliers!: number;
}

export class LotDto {
  @ApiProperty({ example: 'lot-1' })
  @IsString()
  @IsNotBlank()
  @MaxLength(ID_LIMIT)
  lotId!: string;

  @ApiProperty({ example: 'Emergency departments' })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiPropertyOptional({ nullable: true, type: Number })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  budgetEur?: number | null;
}

/** The fields of a call; all optional in an amendment. */
class CallFieldsDto {
  @ApiPropertyOptional({ example: 'PCP: early warning of sepsis', maxLength: TITLE_LIMIT })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title?: string;

  @ApiPropertyOptional({ description: 'At most 2000 characters, whitespace not counted.' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  description?: string;

  @ApiPropertyOptional({ example: 2_000_000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  budgetEur?: number;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-03-01T12:00:00+01:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'submissionDeadline must carry its offset, e.g. +01:00 or Z' })
  submissionDeadline?: string;

  @ApiPropertyOptional({ type: [CriterionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CriterionDto)
  criteria?: CriterionDto[];

  @ApiPropertyOptional({ type: [PhaseDto], description: 'PCP: 2 to 5 phases.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => PhaseDto)
  phases?: PhaseDto[];

  @ApiPropertyOptional({ enum: PPI_PROCEDURES, description: 'PPI only.' })
  @IsOptional()
  @IsIn(PPI_PROCEDURES)
  ppiProcedure?: string;

  @ApiPropertyOptional({ type: [LotDto], description: 'PPI only.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => LotDto)
  lots?: LotDto[];
}

export class CreateTenderDto {
  @ApiProperty({ description: 'A consultation of your organisation routed to this procedure.' })
  @IsString()
  @IsNotBlank()
  @MaxLength(ID_LIMIT)
  consultationId!: string;

  @ApiProperty({ enum: PROCEDURES, example: 'PCP' })
  @IsIn(PROCEDURES)
  procedure!: string;

  @ApiProperty({ example: 'PCP: early warning of sepsis', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiProperty({ description: 'At most 2000 characters, whitespace not counted.' })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  description!: string;

  @ApiProperty({ example: 2_000_000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  budgetEur!: number;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T12:00:00+01:00' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'submissionDeadline must carry its offset, e.g. +01:00 or Z' })
  submissionDeadline!: string;

  @ApiProperty({ type: [CriterionDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CriterionDto)
  criteria!: CriterionDto[];

  @ApiPropertyOptional({ type: [PhaseDto], description: 'PCP: 2 to 5 phases.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => PhaseDto)
  phases?: PhaseDto[];

  @ApiPropertyOptional({ enum: PPI_PROCEDURES, description: 'PPI only, required there.' })
  @IsOptional()
  @IsIn(PPI_PROCEDURES)
  ppiProcedure?: string;

  @ApiPropertyOptional({ type: [LotDto], description: 'PPI only.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => LotDto)
  lots?: LotDto[];
}

export class AmendTenderDto extends CallFieldsDto {
  @ApiPropertyOptional({ description: 'Cannot change; refused with 422 when different.' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  consultationId?: string;

  @ApiPropertyOptional({ enum: PROCEDURES, description: 'Cannot change.' })
  @IsOptional()
  @IsIn(PROCEDURES)
  procedure?: string;

  @ApiProperty({ example: 'Deadline extended after clarification requests' })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  reason!: string;
}

export class TenderReasonDto {
  @ApiProperty({ example: 'The need was withdrawn by the clinical board' })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  reason!: string;
}

/** A command's optional note, shown in the history as its reason. */
export class OptionalReasonDto {
  @ApiPropertyOptional({ description: 'Shown in the history as the reason.' })
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_LIMIT)
  reason?: string;
}

export class SubmitBidDto {
  @ApiProperty({ example: 480000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  priceEur!: number;

  @ApiProperty({ description: 'At most 2000 characters, whitespace not counted.' })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  technicalProposal!: string;

  @ApiProperty({ minimum: 1, maximum: 9, example: 5 })
  @IsInt()
  @Min(1)
  @Max(9)
  declaredTrl!: number;

  @ApiPropertyOptional({ description: "Your innovation from the tender's consultation." })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  innovationId?: string;

  @ApiPropertyOptional({ description: 'The lot, for a PPI call with lots.' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  lotId?: string;

  @ApiPropertyOptional({
    type: ContactPersonDto,
    description:
      "You, as the bid's contact person. Sealed with your personal key and with the bid; shown to " +
      "whoever reads the bid, and as the supplier's contact point in the OCDS export once awarded, " +
      'until you (or an admin) erase your personal data. A replacement without one keeps it.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactPersonDto)
  contact?: ContactPersonDto;
}

export class EvaluatorsDto {
  @ApiProperty({ type: [String], example: ['u-eva', 'u-eli'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  @MaxLength(ID_LIMIT, { each: true })
  evaluatorIds!: string[];
}

export class ConflictDeclarationDto {
  @ApiProperty({ example: false })
  @IsBoolean()
  conflict!: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_LIMIT)
  note?: string;
}

export class CriterionScoreDto {
  @ApiProperty({ example: 'quality' })
  @IsString()
  @MaxLength(ID_LIMIT)
  criterion!: string;

  @ApiProperty({ minimum: 0, maximum: 100, example: 75 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  score!: number;
}

export class ScoresDto {
  @ApiProperty({ type: [CriterionScoreDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CriterionScoreDto)
  scores!: CriterionScoreDto[];
}

export class AwardDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(ID_LIMIT, { each: true })
  bidIds!: string[];

  @ApiProperty({ example: 'Best value for money on the weighted criteria' })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  reason!: string;

  @ApiPropertyOptional({
    description:
      'Required (422 without it) when a higher-ranked bid is passed over, and when a PCP phase 1 goes to fewer than 2 suppliers.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_LIMIT)
  justification?: string;
}

export class DeliverableDto {
  @ApiProperty({ example: 'Solution design report' })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiProperty({ example: 'Architecture, data flows and the clinical validation plan.' })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  description!: string;
}

export class PhaseResultDto {
  @ApiProperty()
  @IsString()
  @MaxLength(ID_LIMIT)
  contractId!: string;

  @ApiProperty()
  @IsBoolean()
  passed!: boolean;

  @ApiProperty({ minimum: 1, maximum: 9 })
  @IsInt()
  @Min(1)
  @Max(9)
  assessedTrl!: number;

  @ApiProperty({ example: 'Prototype met the sensitivity target on retrospective data' })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  reason!: string;
}

export class CompletePhaseDto {
  @ApiProperty({ type: [PhaseResultDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PhaseResultDto)
  results!: PhaseResultDto[];
}

export class DownSelectDto {
  @ApiProperty({ type: [String], description: 'Contracts of phase n-1 that continue.' })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(ID_LIMIT, { each: true })
  contractIds!: string[];

  @ApiProperty({ example: 'The two best prototypes on value for money' })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  reason!: string;

  @ApiPropertyOptional({ description: 'Required below 2 suppliers (422).' })
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_LIMIT)
  justification?: string;
}

export class TenderListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: TENDER_STATUSES })
  @IsOptional()
  @IsIn(TENDER_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: PROCEDURES })
  @IsOptional()
  @IsIn(PROCEDURES)
  procedure?: string;

  @ApiPropertyOptional({ description: 'A NUTS code among the regions of the call.' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  region?: string;

  @ApiPropertyOptional({ description: 'Contracting organisation.' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  org?: string;
}
