import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
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
  parseAsOf,
  ApiErrors,
  IdempotencyKeyHeader,
} from '@pcp/http';
import { PilotCommands } from '../application/pilot-commands';
import { PilotQueries } from '../application/pilot-queries';
import type { TestbedView } from '../read-models/pilot-view';
import { RegisterTestbedDto, TestbedListQueryDto } from './pilot.dto';
import { TestbedPage, TestbedResponse } from './responses';

interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

@ApiTags('pilots')
@Controller('testbeds')
export class TestbedsController {
  constructor(
    private readonly commands: PilotCommands,
    private readonly queries: PilotQueries,
  ) {}

  @Post()
  @Roles('admin', 'procurer')
  @ApiOperation({
    summary: 'Register a testbed: hospital, living lab, regulatory sandbox...',
    description:
      'The registering organisation operates it. Only a LIVING_LAB can be ENoLL-labelled. ' +
      'capacity limits the pilots planned or running there at once.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: TestbedResponse })
  @ApiErrors(400, 401, 403, 422)
  async register(
    @Body() body: RegisterTestbedDto,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<TestbedView> {
    const view = await this.commands.registerTestbed(body, meta);
    res.setHeader('Location', `/testbeds/${view.id}`);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'List testbeds', description: 'Oldest first, filtered, in pages.' })
  @ApiOkResponse({ type: TestbedPage })
  @ApiErrors(400, 401)
  list(@Query() query: TestbedListQueryDto) {
    return this.queries.testbeds(query);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({ summary: 'Read a testbed, now or as it was at asOf' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 time with offset.' })
  @ApiOkResponse({ type: TestbedResponse })
  @ApiErrors(400, 401, 404)
  read(@Param('id') id: string, @Query('asOf') asOf?: string): Promise<TestbedView> {
    return this.queries.testbed(id, parseAsOf(asOf));
  }

  @Get(':id/history')
  @AnyRole()
  @ApiOperation({ summary: "The testbed's recorded changes" })
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(401, 404)
  history(@Param('id') id: string) {
    return this.queries.testbedHistory(id);
  }
}
