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
import { KPI_DIRECTIONS, TESTBED_TYPES } from '@pcp/contracts';
import { IsNotBlank, IsNutsRegion, ListQueryDto, MaxCharactersWithoutSpaces } from '@pcp/http';
import { TITLE_LIMIT } from '@pcp/eventsourcing';
import { INCIDENT_SEVERITIES } from '../domain';

export const PILOT_STATUSES = ['PLANNED', 'RUNNING', 'COMPLETED'] as const;
const WITH_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;
const offsetMessage = (field: string) => `${field} must carry its offset, e.g. +01:00 or Z`;
const ID_LIMIT = 200;

export class RegisterTestbedDto {
  @ApiProperty({ example: 'Hospital Clínico Universitario de Santiago', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  name!: string;

  @ApiProperty({ enum: TESTBED_TYPES, example: 'HOSPITAL' })
  @IsIn(TESTBED_TYPES)
  type!: string;

  @ApiProperty({ description: 'NUTS 2021 code.', example: 'ES11' })
  @IsNutsRegion()
  region!: string;

  @ApiPropertyOptional({ description: 'ENoLL-labelled; living labs only.', default: false })
  @IsOptional()
  @IsBoolean()
  enollLabelled?: boolean;

  @ApiProperty({ type: [String], example: ['ehr_integration', 'icu_beds'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  @MaxLength(200, { each: true })
  capabilities!: string[];

  @ApiPropertyOptional({
    description: 'Pilots hosted at once (planned or running); no limit when left out.',
    minimum: 1,
    example: 3,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  capacity?: number;
}

export class TestbedListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: TESTBED_TYPES })
  @IsOptional()
  @IsIn(TESTBED_TYPES)
  type?: string;

  @ApiPropertyOptional({ example: 'ES11' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  region?: string;
}

export class KpiDto {
  @ApiProperty({ example: 'time_to_antibiotics' })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'minutes' })
  @IsString()
  @IsNotBlank()
  @MaxLength(50)
  unit!: string;

  @ApiProperty({ example: 60 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  target!: number;

  @ApiProperty({ enum: KPI_DIRECTIONS, example: 'LOWER_IS_BETTER' })
  @IsIn(KPI_DIRECTIONS)
  direction!: string;
}

export class PlanPilotDto {
  @ApiProperty({
    description:
      'A contract of the last PCP phase, or a PPI contract, of a tender your organisation runs.',
    example: 'ctr-3a',
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(ID_LIMIT)
  contractId!: string;

  @ApiProperty({ example: '2b7c0e8a-2f0e-4c55-9d61-3c1f2d9b7a10' })
  @IsString()
  @IsNotBlank()
  @MaxLength(ID_LIMIT)
  testbedId!: string;

  @ApiProperty({ example: 'SepsisWatch in the emergency department', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiProperty({ format: 'date-time', example: '2027-01-10T08:00:00+01:00' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: offsetMessage('startsAt') })
  startsAt!: string;

  @ApiProperty({ format: 'date-time', example: '2027-07-10T08:00:00+02:00' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: offsetMessage('endsAt') })
  endsAt!: string;

  @ApiProperty({ type: [KpiDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => KpiDto)
  kpis!: KpiDto[];
}

export class PilotListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: PILOT_STATUSES })
  @IsOptional()
  @IsIn(PILOT_STATUSES)
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  testbedId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  innovationId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  contractId?: string;
}

export class AssignEvaluatorsDto {
  @ApiProperty({ type: [String], example: ['u-eva'], description: 'User ids.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  @MaxLength(128, { each: true })
  evaluatorIds!: string[];
}

export class StartPilotDto {
  @ApiPropertyOptional({
    description: 'A note on the start, shown in the history.',
    example: 'Go-live after staff training',
  })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  note?: string;
}

export class MeasurementDto {
  @ApiProperty({ description: 'A KPI name of the pilot.', example: 'time_to_antibiotics' })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  kpi!: string;

  @ApiProperty({ example: 48 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @ApiProperty({ format: 'date-time', example: '2027-03-01T10:00:00+01:00' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: offsetMessage('at') })
  at!: string;
}

export class IncidentDto {
  @ApiProperty({ enum: INCIDENT_SEVERITIES, example: 'MEDIUM' })
  @IsIn(INCIDENT_SEVERITIES)
  severity!: string;

  @ApiProperty({ example: 'Alert feed interrupted for 40 minutes after a network change.' })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  description!: string;
}

export class TrlAssessmentDto {
  @ApiProperty({ minimum: 1, maximum: 9, example: 8 })
  @IsInt()
  @Min(1)
  @Max(9)
  trl!: number;

  @ApiProperty({
    type: [String],
    description: 'Measurement ids of this pilot (meas-...) and document references.',
    example: ['meas-5f0c…', 'doc:clinical-validation-report-v2'],
  })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  evidence!: string[];

  @ApiProperty({ example: 'Validated in the operational environment over six months.' })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  reason!: string;
}

export class PilotReasonDto {
  @ApiProperty({ example: 'Pilot period ended; all KPI measurements are in.' })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  reason!: string;
}

export class DeploymentDecisionDto extends PilotReasonDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  deploy!: boolean;

  @ApiPropertyOptional({
    type: [String],
    description: 'Roll-out sites: NUTS 2021 regions or registered testbed ids.',
    example: ['ES11', 'ES22'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  sites?: string[];
}

export class RolloutDto {
  @ApiProperty({ description: 'A NUTS 2021 region or a registered testbed id.', example: 'ES22' })
  @IsString()
  @IsNotBlank()
  @MaxLength(128)
  site!: string;

  @ApiPropertyOptional({ description: "The site's region, checked against it.", example: 'ES22' })
  @IsOptional()
  @IsNutsRegion()
  region?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the site went live; now when left out. Not before the decision to deploy.',
    example: '2027-09-01T09:00:00+02:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: offsetMessage('at') })
  at?: string;

  @ApiPropertyOptional({ example: 'Second hospital of the region joins after procurement.' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  reason?: string;
}
