import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles, type AuthenticatedUser } from '@pcp/auth';
import type { CommandMetadata } from '@pcp/eventsourcing';
import {
  CommandContext,
  HistoryResponse,
  IfMatch,
  parseAsOf,
  ApiErrors,
  IdempotencyKeyHeader,
  IfMatchHeader,
  ListQueryDto,
} from '@pcp/http';
import { ConsultationCommands } from '../application/consultation-commands';
import { ConsultationQueries } from '../application/consultation-queries';
import type { ConsultationView } from '../read-models/consultation-view';
import {
  CloseConsultationDto,
  ConsultationListQueryDto,
  DecideRouteDto,
  OpenConsultationDto,
  PublishNoticeDto,
  SubmitResponseDto,
  TextDto,
} from './consultation.dto';
import {
  AskedQuestionResponse,
  ClarificationList,
  ClarificationResponse,
  ConsultationPage,
  ConsultationResponse,
  SubmittedSupplierResponse,
  SupplierResponse,
  SupplierResponseList,
} from './responses';

interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

@ApiTags('consultations')
@Controller('consultations')
export class ConsultationsController {
  constructor(
    private readonly commands: ConsultationCommands,
    private readonly queries: ConsultationQueries,
  ) {}

  @Post()
  @Roles('procurer')
  @ApiOperation({
    summary: 'Open a market consultation on a validated need or a buyers group',
    description:
      "The need must be validated and your organisation's; a buyers group must be led by your " +
      'organisation and span two regions. The consultation starts as DRAFT.',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: ConsultationResponse })
  @ApiErrors(400, 401, 403, 422)
  async open(
    @Body() body: OpenConsultationDto,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ConsultationView> {
    const view = await this.commands.open({ ...body, questions: body.questions ?? [] }, meta);
    res.setHeader('Location', `/consultations/${view.id}`);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'List consultations', description: 'Oldest first, filtered, in pages.' })
  @ApiOkResponse({ type: ConsultationPage })
  @ApiErrors(400, 401)
  list(@Query() query: ConsultationListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.list(query, user);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({
    summary: 'Read a consultation, now or as it was at asOf',
    description: "Suppliers see their own organisation's responses and the answered questions.",
  })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'ISO 8601 time with offset.',
    example: '2025-03-01T09:00:00+01:00',
  })
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiErrors(400, 401, 404)
  read(
    @Param('id') id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Query('asOf') asOf?: string,
  ): Promise<ConsultationView> {
    return this.queries.consultation(id, user, parseAsOf(asOf));
  }

  @Get(':id/history')
  @AnyRole()
  @ApiOperation({
    summary: "The consultation's recorded changes",
    description: "Other suppliers' responses and questions are withheld from a supplier.",
  })
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(401, 404)
  history(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.history(id, user);
  }

  @Post(':id/publish')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish the prior information notice',
    description:
      'Opens the consultation to responses until closesAt. A notice less than 30 days before ' +
      'opensAt is allowed and flagged with the SHORT_LEAD_TIME warning.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  publish(
    @Param('id') id: string,
    @Body() _body: PublishNoticeDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<ConsultationView> {
    return this.commands.publish(id, meta, expected);
  }

  @Post(':id/responses')
  @Roles('supplier')
  @ApiOperation({
    summary: 'Respond with a solution idea and a declared TRL',
    description:
      'Accepted between publication and closesAt. One live response per supplier organisation: a ' +
      "new one replaces it and keeps the innovation's id. SME and country come from the token.",
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: SubmittedSupplierResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async respond(
    @Param('id') id: string,
    @Body() body: SubmitResponseDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: HeaderResponse,
  ) {
    const { responseId, view } = await this.commands.respond(
      id,
      { ...body, supplier: { sme: user.sme ?? null, country: user.country ?? null } },
      meta,
      expected,
    );
    const response = view.responses.find((r) => r.id === responseId);
    res.setHeader('Location', `/consultations/${id}/responses/${responseId}`);
    return { ...response, consultationId: id, revision: view.revision };
  }

  @Get(':id/responses')
  @AnyRole()
  @ApiOperation({
    summary: 'Responses',
    description:
      "All of them for the organisers and auditors; a supplier gets its organisation's own. " +
      'In the order submitted, in pages.',
  })
  @ApiOkResponse({ type: SupplierResponseList })
  @ApiErrors(400, 401, 404)
  responses(
    @Param('id') id: string,
    @Query() query: ListQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.responses(id, user, query);
  }

  @Get(':id/responses/:responseId')
  @AnyRole()
  @ApiOperation({ summary: 'One response, for its supplier and the organisers' })
  @ApiOkResponse({ type: SupplierResponse })
  @ApiErrors(401, 403, 404)
  response(
    @Param('id') id: string,
    @Param('responseId') responseId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.response(id, responseId, user);
  }

  @Post(':id/questions')
  @Roles('supplier')
  @ApiOperation({
    summary: 'Ask a clarification question',
    description: 'Accepted between publication and closesAt; the answer goes to every respondent.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: AskedQuestionResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async ask(
    @Param('id') id: string,
    @Body() body: TextDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ) {
    const { questionId, view } = await this.commands.ask(id, body.text, meta, expected);
    const question = view.clarifications.find((c) => c.id === questionId);
    res.setHeader('Location', `/consultations/${id}/questions/${questionId}`);
    return { ...question, consultationId: id, revision: view.revision };
  }

  @Get(':id/questions')
  @Roles('procurer', 'supplier')
  @ApiOperation({
    summary: 'Clarification questions',
    description:
      'The organising procurers see every question; a supplier that responded sees every answered ' +
      'question (equal treatment, the asker not named) and its own pending ones. Others: 403. ' +
      'In the order asked, in pages.',
  })
  @ApiOkResponse({ type: ClarificationList })
  @ApiErrors(400, 401, 403, 404)
  questions(
    @Param('id') id: string,
    @Query() query: ListQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.clarifications(id, user, query);
  }

  @Get(':id/questions/:questionId')
  @Roles('procurer', 'supplier')
  @ApiOperation({
    summary:
      'One clarification question, for its asker, the organisers and, once answered, every respondent',
  })
  @ApiOkResponse({ type: ClarificationResponse })
  @ApiErrors(401, 403, 404)
  question(
    @Param('id') id: string,
    @Param('questionId') questionId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.clarification(id, questionId, user);
  }

  @Post(':id/questions/:questionId/answer')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer a clarification question, to every respondent',
    description: 'Organising organisation only, while the consultation is published.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  answer(
    @Param('id') id: string,
    @Param('questionId') questionId: string,
    @Body() body: TextDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<ConsultationView> {
    return this.commands.answer(id, questionId, body.text, meta, expected);
  }

  @Post(':id/close')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close the consultation with its report',
    description: 'Organising organisation only.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  close(
    @Param('id') id: string,
    @Body() body: CloseConsultationDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<ConsultationView> {
    return this.commands.close(id, body.report, { ...meta, reason: body.report }, expected);
  }

  @Post(':id/route')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decide the procurement route',
    description:
      'TRL rule on the best TRL known: the highest of the declared TRLs of the live responses ' +
      'and the assessed state of the art. Below 8: PCP, and INNOVATION_PARTNERSHIP also follows ' +
      'the rule (it develops and buys in one procedure). TRL 8: PPI only. TRL 9: PPI, and ' +
      'COMMERCIAL (off the shelf) or NONE also follow the rule. When no TRL is known (no ' +
      'response and no assessed state of the art) every route follows the rule. Any other ' +
      'route goes against the rule: it needs a justification (422 without one), which is ' +
      'recorded in the event with againstTrlRule: true.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: ConsultationResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  decideRoute(
    @Param('id') id: string,
    @Body() body: DecideRouteDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<ConsultationView> {
    return this.commands.decideRoute(
      id,
      { route: body.route, rationale: body.rationale, justification: body.justification ?? null },
      { ...meta, reason: body.rationale },
      expected,
    );
  }
}
