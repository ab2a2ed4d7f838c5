import { ApiProperty } from '@nestjs/swagger';
import { BARRIERS, DISEASE_FIELDS, NEED_SCOPES } from '@pcp/contracts';
import { NEED_STATUSES } from './need.dto';

export class EvidenceResponse {
  @ApiProperty({ example: 'Regional sepsis audit 2024' })
  title!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'https://www.sergas.es/audit-sepsis-2024.pdf',
  })
  url!: string | null;
}

export class PriorityResponse {
  @ApiProperty({ minimum: 1, maximum: 100, example: 87 })
  score!: number;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { patientImpact: 90, feasibility: 80 },
  })
  criteria!: Record<string, number> | null;
}

export class NeedResponse {
  @ApiProperty({ format: 'uuid', example: '6f1c2a4e-8d0b-4b8e-9a43-0f6d1f4b2c11' })
  id!: string;
  @ApiProperty({ description: 'Owning organisation.', example: 'org-sergas' })
  org!: string;
  @ApiProperty({ example: 'Early detection of sepsis in emergency departments' })
  title!: string;
  @ApiProperty({
    example: 'Sepsis is recognised too late in two out of five emergency admissions.',
  })
  description!: string;
  @ApiProperty({ example: 'ES11' })
  region!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Galicia' })
  regionName!: string | null;
  @ApiProperty({ enum: DISEASE_FIELDS, example: 'infectious' })
  diseaseField!: string;
  @ApiProperty({ enum: NEED_SCOPES, isArray: true, example: ['early_detection'] })
  scope!: string[];
  @ApiProperty({ example: 12000 })
  patientPopulation!: number;
  @ApiProperty({ example: 2500000 })
  budgetEstimateEur!: number;
  @ApiProperty({ enum: BARRIERS, isArray: true, example: ['data_fragmentation'] })
  barriers!: string[];
  @ApiProperty({ type: [EvidenceResponse] })
  evidence!: EvidenceResponse[];
  @ApiProperty({ enum: NEED_STATUSES, example: 'VALIDATED' })
  status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Confirmed by the clinical board' })
  validationRationale!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why the need was rejected or withdrawn.',
    example: null,
  })
  statusReason!: string | null;
  @ApiProperty({ nullable: true, type: PriorityResponse })
  priority!: PriorityResponse | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', example: null })
  buyersGroupId!: string | null;
  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ description: 'Revision of the need; send it as If-Match.', example: 1 })
  revision!: number;
}

export class NeedPage {
  @ApiProperty({ type: [NeedResponse] })
  items!: NeedResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page.' })
  nextCursor!: string | null;
}

export class BuyersGroupResponse {
  @ApiProperty({ format: 'uuid', example: '51c2d1e0-7a4b-4c3e-9f10-6b2a8e4d9c07' })
  id!: string;
  @ApiProperty({ example: 'Atlantic sepsis buyers group' })
  name!: string;
  @ApiProperty({ example: 'org-sergas' })
  leadOrg!: string;
  @ApiProperty({ type: [String], example: ['org-sergas', 'org-navarrabiomed'] })
  memberOrgs!: string[];
  @ApiProperty({ type: [String], format: 'uuid' })
  needIds!: string[];
  @ApiProperty({ type: [String], example: ['ES11', 'ES22'] })
  regions!: string[];
  @ApiProperty({ description: 'True from two regions on.', example: true })
  crossRegional!: boolean;
  @ApiProperty({ format: 'date-time' })
  formedAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ example: 1 })
  revision!: number;
}

export class BuyersGroupPage {
  @ApiProperty({ type: [BuyersGroupResponse] })
  items!: BuyersGroupResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}
