import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@pcp/auth';
import { PipelineAnalytics } from '../application/analytics';
import { AnalyticsQueryDto } from './pipeline.dto';
import { FunnelResponse, SmeShareResponse, StageDurationsResponse } from './responses';
import { ApiErrors } from '@pcp/http';

@ApiTags('analytics')
@Controller('analytics')
@Roles('procurer', 'auditor')
export class AnalyticsController {
  constructor(private readonly analytics: PipelineAnalytics) {}

  @Get('funnel')
  @ApiOperation({
    summary: 'Innovations per stage (now and ever reached), by region and procedure',
    description:
      'With the SME share of bids and of awards (see /analytics/sme-share) overall and per group.',
  })
  @ApiOkResponse({ type: FunnelResponse })
  @ApiErrors(400, 401, 403)
  funnel(@Query() query: AnalyticsQueryDto) {
    return this.analytics.funnel(query);
  }

  @Get('sme-share')
  @ApiOperation({
    summary: 'SME share of bids and of awards, by region and procedure',
    description:
      'Counted per innovation as the funnel counts them: those whose bid was opened, and those ' +
      'awarded a contract. A bidder is an SME by the `sme` claim of the token it bid with, sealed ' +
      'with the bid and published at opening, so sealed bids count only once opened. `share` is ' +
      'among the suppliers that said; those that did not are `unknown`.',
  })
  @ApiOkResponse({ type: SmeShareResponse })
  @ApiErrors(400, 401, 403)
  smeShare(@Query() query: AnalyticsQueryDto) {
    return this.analytics.smeShare(query);
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
