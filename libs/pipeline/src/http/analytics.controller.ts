import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@pcp/auth';
import { PipelineAnalytics } from '../application/analytics';
import { AnalyticsQueryDto } from './pipeline.dto';
import { FunnelResponse, StageDurationsResponse } from './responses';
import { ApiErrors } from '@pcp/http';

@ApiTags('analytics')
@Controller('analytics')
@Roles('procurer', 'auditor')
export class AnalyticsController {
  constructor(private readonly analytics: PipelineAnalytics) {}

  @Get('funnel')
  @ApiOperation({
    summary: 'Innovations per stage (now and ever reached), by region and procedure',
    description: 'SME shares are null: no published event says whether a supplier is an SME.',
  })
  @ApiOkResponse({ type: FunnelResponse })
  @ApiErrors(400, 401, 403)
  funnel(@Query() query: AnalyticsQueryDto) {
    return this.analytics.funnel(query);
  }

  @Get('stage-durations')
  @ApiOperation({
    summary: 'Days spent per stage: median and 90th percentile, by region and procedure',
  })
  @ApiOkResponse({ type: StageDurationsResponse })
  @ApiErrors(400, 401, 403)
  stageDurations(@Query() query: AnalyticsQueryDto) {
    return this.analytics.stageDurations(query);
  }
}
