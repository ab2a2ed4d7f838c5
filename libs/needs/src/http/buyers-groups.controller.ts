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
import { BuyersGroupCommands } from '../application/buyers-group-commands';
import { NeedQueries } from '../application/need-queries';
import type { BuyersGroupView } from '../read-models/buyers-group-view';
import { BuyersGroupListQueryDto, FormBuyersGroupDto, JoinBuyersGroupDto } from './need.dto';
import { BuyersGroupPage, BuyersGroupResponse } from './responses';

@ApiTags('buyers groups')
@Controller('buyers-groups')
export class BuyersGroupsController {
  constructor(
    private readonly commands: BuyersGroupCommands,
    private readonly queries: NeedQueries,
  ) {}

  @Post()
  @Roles('procurer')
  @ApiOperation({
    summary: "Form a buyers group from validated needs of the caller's organisation",
    description:
      "The caller's organisation leads and brings validated needs of its own only; each need " +
      "is in at most one group. Another organisation's need is refused with 403 and nothing " +
      'is claimed: other organisations and regions join with their own needs ' +
      '(POST /buyers-groups/{id}/join). A consultation on the group needs two regions or more.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: BuyersGroupResponse })
  @ApiErrors(400, 401, 403, 422)
  async form(
    @Body() body: FormBuyersGroupDto,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<BuyersGroupView> {
    const view = await this.commands.form(body, meta);
    res.setHeader('Location', `/buyers-groups/${view.id}`);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'List buyers groups', description: 'Oldest first, in pages.' })
  @ApiOkResponse({ type: BuyersGroupPage })
  @ApiErrors(400, 401)
  list(@Query() query: BuyersGroupListQueryDto) {
    return this.queries.buyersGroups(query);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({ summary: 'Read a buyers group, now or as it was at asOf' })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'ISO 8601 time with offset.',
    example: '2025-03-01T09:00:00+01:00',
  })
  @ApiOkResponse({ type: BuyersGroupResponse })
  @ApiErrors(400, 401, 404)
  read(@Param('id') id: string, @Query('asOf') asOf?: string): Promise<BuyersGroupView> {
    return this.queries.buyersGroup(id, parseAsOf(asOf));
  }

  @Get(':id/history')
  @AnyRole()
  @ApiOperation({ summary: "The buyers group's recorded changes" })
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(401, 404)
  history(@Param('id') id: string) {
    return this.queries.buyersGroupHistory(id);
  }

  @Post(':id/join')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Join a buyers group with a validated need of your organisation',
    description:
      "Another organisation's need is refused with 403; a need already in a group, 409 " +
      'when it is this one and 422 when another.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: BuyersGroupResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  join(
    @Param('id') id: string,
    @Body() body: JoinBuyersGroupDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<BuyersGroupView> {
    return this.commands.join(id, body.needId, meta, expected);
  }
}
