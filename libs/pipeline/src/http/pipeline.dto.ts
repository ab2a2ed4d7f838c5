import { ApiPropertyOptional } from '@nestjs/swagger';
import { PROCEDURES } from '@pcp/contracts';
import { IsNutsRegion, ListQueryDto } from '@pcp/http';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { STAGES } from '../domain';

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
