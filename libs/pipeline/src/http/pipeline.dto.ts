import { ApiPropertyOptional } from '@nestjs/swagger';
import { PROCEDURES } from '@pcp/contracts';
import { IsNutsRegion, ListQueryDto } from '@pcp/http';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { STAGES } from '../domain';

const ID_LIMIT = 200;

export class InnovationListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: STAGES })
  @IsOptional()
  @IsIn(STAGES)
  stage?: string;

  @ApiPropertyOptional({ description: 'NUTS 2021 code' })
  @IsOptional()
  @IsNutsRegion()
  region?: string;

  @ApiPropertyOptional({ enum: PROCEDURES })
  @IsOptional()
  @IsIn(PROCEDURES)
  procedure?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 9, description: 'Current (assessed) TRL at least' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(9)
  minTrl?: number;
}

export class AuditEventsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'User id of the actor' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  actor?: string;

  @ApiPropertyOptional({ description: "Actor's organisation" })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  org?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  streamId?: string;

  @ApiPropertyOptional({ description: 'Occurred at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Occurred at or before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class VerifyQueryDto {
  @ApiPropertyOptional({ description: 'Verify only this stream' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  streamId?: string;
}

export class AnalyticsQueryDto {
  @ApiPropertyOptional({ description: 'NUTS 2021 code' })
  @IsOptional()
  @IsNutsRegion()
  region?: string;

  @ApiPropertyOptional({ enum: PROCEDURES })
  @IsOptional()
  @IsIn(PROCEDURES)
  procedure?: string;
}
