import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AnyRole, Roles } from '@pcp/auth';
import type { CommandMetadata } from '@pcp/eventsourcing';
import {
  CommandContext,
  HistoryResponse,
  IfMatch,
  parseAsOf,
  ApiErrors,
  IdempotencyKeyHeader,
  IfMatchHeader,
} from '@pcp/http';
import { NeedCommands } from '../application/need-commands';
import { NeedQueries } from '../application/need-queries';
import type { NeedView } from '../read-models/need-view';
import {
  NeedListQueryDto,
  PrioritiseNeedDto,
  NeedReasonDto,
  RecordNeedDto,
  ValidateNeedDto,
} from './need.dto';
import { NeedPage, NeedResponse } from './responses';

interface LocationResponse {
  setHeader(name: string, value: string): void;
}

const AS_OF = {
  name: 'asOf',
  required: false,
  description: 'ISO 8601 time with offset: the state as it was then.',
  example: '2025-03-01T09:00:00+01:00',
};

@ApiTags('needs')
@Controller('needs')
export class NeedsController {
  constructor(
    private readonly commands: NeedCommands,
    private readonly queries: NeedQueries,
  ) {}

  @Post()
  @Roles('procurer')
  @ApiOperation({
    summary: 'Record an unmet need',
    description: "The caller's organisation owns the need; it starts as RECORDED.",
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: NeedResponse, description: 'Recorded; Location names the need.' })
  @ApiErrors(400, 401, 403, 422)
  async record(
    @Body() body: RecordNeedDto,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: LocationResponse,
  ): Promise<NeedView> {
    const view = await this.commands.record(
      { ...body, barriers: body.barriers ?? [], evidence: body.evidence ?? [] },
      meta,
    );
    res.setHeader('Location', `/needs/${view.id}`);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'List needs', description: 'Oldest first, filtered, in pages.' })
  @ApiOkResponse({ type: NeedPage })
  @ApiErrors(400, 401)
  list(@Query() query: NeedListQueryDto) {
    return this.queries.needs(query);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({ summary: 'Read a need, now or as it was at asOf' })
  @ApiQuery(AS_OF)
  @ApiOkResponse({ type: NeedResponse })
  @ApiErrors(400, 401, 404)
  read(@Param('id') id: string, @Query('asOf') asOf?: string): Promise<NeedView> {
    return this.queries.need(id, parseAsOf(asOf));
  }

  @Get(':id/history')
  @AnyRole()
  @ApiOperation({
    summary: "The need's recorded changes",
    description: 'Every event with its actor, time, reason and integrity hash.',
  })
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(401, 404)
  history(@Param('id') id: string) {
    return this.queries.needHistory(id);
  }

  @Post(':id/validate')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a recorded need', description: 'Owning organisation only.' })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: NeedResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  validate(
    @Param('id') id: string,
    @Body() body: ValidateNeedDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<NeedView> {
    const rationale = body.rationale?.trim() || null;
    return this.commands.change(
      id,
      { type: 'ValidateNeed', rationale },
      { ...meta, reason: rationale },
      expected,
    );
  }

  @Post(':id/reject')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a recorded need, with a reason',
    description: 'Owning organisation only; a validated need is withdrawn instead.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: NeedResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  reject(
    @Param('id') id: string,
    @Body() body: NeedReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<NeedView> {
    return this.commands.change(id, { type: 'RejectNeed', reason: body.reason }, meta, expected);
  }

  @Post(':id/withdraw')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Withdraw a recorded or validated need, with a reason',
    description: 'Owning organisation only.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: NeedResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  withdraw(
    @Param('id') id: string,
    @Body() body: NeedReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<NeedView> {
    return this.commands.change(id, { type: 'WithdrawNeed', reason: body.reason }, meta, expected);
  }

  @Post(':id/prioritise')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Prioritise a need with a score and optional criteria scores',
    description: 'Owning organisation only; a later score replaces the earlier one.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: NeedResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  prioritise(
    @Param('id') id: string,
    @Body() body: PrioritiseNeedDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<NeedView> {
    return this.commands.change(
      id,
      { type: 'PrioritiseNeed', score: body.score, criteria: body.criteria ?? null },
      meta,
      expected,
    );
  }
}
