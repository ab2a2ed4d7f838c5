import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { FREE_TEXT_LIMIT, ROUTES } from '@pcp/contracts';
import {
  ContactPersonDto,
  ListQueryDto,
  IsNotBlank,
  MaxCharactersWithoutSpaces,
  NotTogetherWith,
} from '@pcp/http';
import { TITLE_LIMIT } from '@pcp/eventsourcing';

export const CONSULTATION_STATUSES = ['DRAFT', 'PUBLISHED', 'CLOSED', 'ROUTE_DECIDED'] as const;
const WITH_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;
const REPORT_LIMIT = 100_000;

export class OpenConsultationDto {
  @ApiPropertyOptional({
    description: 'A validated need of your organisation; give this or buyersGroupId.',
    example: '6f1c2a4e-8d0b-4b8e-9a43-0f6d1f4b2c11',
  })
  @ValidateIf((o: OpenConsultationDto) => o.buyersGroupId === undefined)
  @IsString({ message: 'give needId (a validated need) or buyersGroupId' })
  @IsNotBlank()
  @MaxLength(200)
  needId?: string;

  @ApiPropertyOptional({
    description: 'A buyers group your organisation leads, spanning two regions or more.',
    example: '51c2d1e0-7a4b-4c3e-9f10-6b2a8e4d9c07',
  })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  @NotTogetherWith('needId')
  buyersGroupId?: string;

  @ApiProperty({ example: 'Market consultation: sepsis early warning', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  title!: string;

  @ApiProperty({
    description: 'At most 2000 characters, whitespace not counted.',
    example:
      'The Galician health service seeks solutions that warn of sepsis early in emergency ' +
      'departments, from routine vital signs and laboratory values.',
  })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  description!: string;

  @ApiProperty({ format: 'date-time', example: '2025-03-01T09:00:00+01:00' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'opensAt must carry its offset, e.g. +01:00 or Z' })
  opensAt!: string;

  @ApiProperty({ format: 'date-time', example: '2025-04-15T17:00:00+02:00' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'closesAt must carry its offset, e.g. +02:00 or Z' })
  closesAt!: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Questions to the market; none by default.',
    example: [
      'Which data sources does your solution need?',
      'How is the model validated on the regional population?',
    ],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  @MaxLength(FREE_TEXT_LIMIT, { each: true })
  questions?: string[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 9,
    description: 'TRL of the best known solution from the prior-art search.',
    example: 6,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(9)
  stateOfTheArtTrl?: number;
}

export class PublishNoticeDto {
  @ApiPropertyOptional({
    description: 'Where the notice appeared, or why it is published now; shown in the history.',
    example: 'Prior information notice 2025/S 014-039871 in the Official Journal',
  })
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_LIMIT)
  reason?: string;
}

export class SubmitResponseDto {
  @ApiProperty({ example: 'SepsisWatch', maxLength: TITLE_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TITLE_LIMIT)
  solutionName!: string;

  @ApiProperty({
    description: 'The solution idea; at most 2000 characters, whitespace not counted.',
    example:
      'Continuous sepsis risk score from vital signs and lab values, integrated in the ED triage.',
  })
  @IsString()
  @IsNotBlank()
  @MaxCharactersWithoutSpaces()
  summary!: string;

  @ApiProperty({ minimum: 1, maximum: 9, example: 6 })
  @IsInt()
  @Min(1)
  @Max(9)
  declaredTrl!: number;

  @ApiPropertyOptional({
    type: ContactPersonDto,
    description:
      'You, as the contact person of this response. Sealed with your personal key: readable by ' +
      'the organisers until you (or an admin) erase your personal data.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactPersonDto)
  contact?: ContactPersonDto;
}

export class TextDto {
  @ApiProperty({
    example: 'Is integration with the regional EHR mandatory?',
    maxLength: FREE_TEXT_LIMIT,
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  text!: string;
}

export class CloseConsultationDto {
  @ApiProperty({
    example: '14 responses; 85% judged the need addressable within 3 years; best declared TRL 6.',
    maxLength: REPORT_LIMIT,
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(REPORT_LIMIT)
  report!: string;
}

export class DecideRouteDto {
  @ApiProperty({ enum: ROUTES, example: 'PCP' })
  @IsIn(ROUTES)
  route!: string;

  @ApiProperty({ example: 'Best declared solutions are at TRL 5-6; R&D is still needed.' })
  @IsString()
  @IsNotBlank()
  @MaxLength(FREE_TEXT_LIMIT)
  rationale!: string;

  @ApiPropertyOptional({
    description:
      'Required when the route goes against the TRL rule: below 8 PCP or INNOVATION_PARTNERSHIP ' +
      'follow it; at 8 PPI; at 9 PPI, COMMERCIAL or NONE; with no TRL known, any route.',
    example: null,
  })
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_LIMIT)
  justification?: string;
}

export class ConsultationListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: CONSULTATION_STATUSES })
  @IsOptional()
  @IsIn(CONSULTATION_STATUSES)
  status?: string;

  @ApiPropertyOptional({
    description: 'A NUTS code among the regions consulted for.',
    example: 'ES11',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  region?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  needId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  buyersGroupId?: string;

  @ApiPropertyOptional({ description: 'Organising organisation.', example: 'org-sergas' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  org?: string;
}
