import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ListQueryDto } from '@pcp/http';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { MAX_BUNDLE_STREAMS } from './store-audit';

const ID_LIMIT = 200;

/** The filters of an audit listing of events (API.md, GET /audit/events). */
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

export class AuditVerifyQueryDto {
  @ApiPropertyOptional({ description: 'Verify only this stream' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_LIMIT)
  streamId?: string;
}

export class AuditStreamsQueryDto {
  @ApiProperty({
    type: [String],
    description: `The streams to package (repeat the parameter), 1 to ${MAX_BUNDLE_STREAMS}`,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BUNDLE_STREAMS)
  @IsString({ each: true })
  @MaxLength(ID_LIMIT, { each: true })
  streamId!: string[];
}
