import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { BARRIERS, DISEASE_FIELDS, NEED_SCOPES } from '@pcp/contracts';
import {
  ListQueryDto,
  IsNotBlank,
  IsNutsRegion,
  IsScoreMap,
  MaxCharactersWithoutSpaces,
} from '@pcp/http';
import { TITLE_LIMIT } from '@pcp/eventsourcing';

export const NEED_STATUSES = ['RECORDED', 'VALIDATED', 'REJECTED', 'WITHDRAWN'] as const;

export class EvidenceDto {
  @ApiProperty({ example: 'Regional sepsis audit 2024', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiPropertyOptional({ example: 'https://www.sergas.es/audit-sepsis-2024.pdf', format: 'uri' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url?: string;
}

export class RecordNeedDto {
  @ApiProperty({
    example: 'Early detection of sepsis in emergency departments',
    maxLength: TITLE_LIMIT,
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiProperty({
    description: 'At most 2000 characters, whitespace not counted.',
    example:
      'Sepsis is recognised too late in two out of five emergency admissions in Galicia; ' +
      'clinicians need an early warning from routine vital signs and lab values.',
  })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  description!: string;

  @ApiProperty({ description: 'NUTS 2021 region code.', example: 'ES11' })
  @IsString()
  @IsNutsRegion()
  region!: string;

  @ApiProperty({ enum: DISEASE_FIELDS, example: 'infectious' })
  @IsIn(DISEASE_FIELDS)
  diseaseField!: string;

  @ApiProperty({
    enum: NEED_SCOPES,
    isArray: true,
    example: ['early_detection', 'decision_support'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(NEED_SCOPES, { each: true })
  scope!: string[];

  @ApiProperty({ description: 'Patients concerned.', example: 12000, minimum: 0 })
  @IsInt()
  @Min(0)
  patientPopulation!: number;

  @ApiProperty({ description: 'Budget estimate in EUR.', example: 2500000, minimum: 0 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  budgetEstimateEur!: number;

  @ApiPropertyOptional({
    enum: BARRIERS,
    isArray: true,
    description: 'Barrier codes of the taxonomy (DOMAIN.md); none by default.',
    example: ['data_fragmentation', 'ai_uncertainty'],
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(BARRIERS, { each: true })
  barriers?: string[];

  @ApiPropertyOptional({
    type: [EvidenceDto],
    example: [
      { title: 'Regional sepsis audit 2024', url: 'https://www.sergas.es/audit-sepsis-2024.pdf' },
      { title: 'Clinical board minutes, March 2024' },
    ],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence?: EvidenceDto[];
}

export class ValidateNeedDto {
  @ApiPropertyOptional({
    example: 'Confirmed by the clinical board of the Galician health service',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  rationale?: string;
}

export class NeedReasonDto {
  @ApiProperty({ example: 'Already covered by the regional sepsis programme', maxLength: 2000 })
  @IsString()
  @IsNotBlank()
  @MaxLength(2000)
  reason!: string;
}

export class PrioritiseNeedDto {
  @ApiProperty({ minimum: 1, maximum: 100, example: 87 })
  @IsInt()
  @Min(1)
  @Max(100)
  score!: number;

  @ApiPropertyOptional({
    description: 'Criterion name to a score from 1 to 100.',
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 1, maximum: 100 },
    example: { patientImpact: 90, feasibility: 80, regionalFit: 85 },
  })
  @IsOptional()
  @IsScoreMap(1, 100)
  criteria?: Record<string, number>;
}

export class NeedListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: NEED_STATUSES })
  @IsOptional()
  @IsIn(NEED_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: 'ES51' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  region?: string;

  @ApiPropertyOptional({ enum: DISEASE_FIELDS })
  @IsOptional()
  @IsIn(DISEASE_FIELDS)
  diseaseField?: string;

  @ApiPropertyOptional({ description: 'Owning organisation id.', example: 'org-sergas' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  org?: string;
}

export class FormBuyersGroupDto {
  @ApiProperty({ example: 'Atlantic sepsis buyers group', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  name!: string;

  @ApiProperty({
    type: [String],
    description:
      "Validated needs of the caller's organisation, which leads; each is in at most one group. " +
      "Another organisation's need is refused with 403: that organisation joins the group with it.",
    example: ['6f1c2a4e-8d0b-4b8e-9a43-0f6d1f4b2c11'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  needIds!: string[];
}

export class JoinBuyersGroupDto {
  @ApiProperty({
    description: "A validated need of the caller's organisation.",
    example: '0b11de7a-3c55-4f1e-a0f8-2d9d1a6e7b42',
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  needId!: string;
}

export class BuyersGroupListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'A member organisation.', example: 'org-sergas' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  org?: string;

  @ApiPropertyOptional({ example: 'ES22' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  region?: string;
}
