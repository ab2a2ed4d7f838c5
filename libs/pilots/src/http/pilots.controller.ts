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
import { PilotCommands, type CommandOutcome } from '../application/pilot-commands';
import { PilotQueries, toResource, type PilotResource } from '../application/pilot-queries';
import {
  AssignEvaluatorsDto,
  DeploymentDecisionDto,
  StartPilotDto,
  IncidentDto,
  MeasurementDto,
  PilotListQueryDto,
  PlanPilotDto,
  PilotReasonDto,
  RolloutDto,
  TrlAssessmentDto,
} from './pilot.dto';
import {
  IncidentList,
  IncidentResponse,
  MeasurementList,
  MeasurementResponse,
  PilotPage,
  RolloutList,
  TrlAssessmentList,
  TrlAssessmentResponse,
  PilotResponse,
  RecordedAssessmentResponse,
  RecordedMeasurementResponse,
  ReportedIncidentResponse,
} from './responses';

interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

const stateOf = (outcome: CommandOutcome): PilotResource => toResource(outcome.view);

@ApiTags('pilots')
@Controller('pilots')
export class PilotsController {
  constructor(
    private readonly commands: PilotCommands,
    private readonly queries: PilotQueries,
  ) {}

  @Post()
  @Roles('procurer')
  @ApiOperation({
    summary: 'Plan a pilot of a contracted innovation at a testbed, with KPI targets',
    description:
      'For a contract of the last PCP phase or a PPI contract of a tender your organisation runs, ' +
      'as learned from the tenders context (a contract awarded a moment ago may take a few seconds ' +
      'to be known). Living-lab pilots need an assessed TRL of 7 or more (422). The testbed must have ' +
      'room (capacity).',
  })
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 422)
  async plan(
    @Body() body: PlanPilotDto,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PilotResource> {
    const view = await this.commands.plan(body, meta);
    res.setHeader('Location', `/pilots/${view.id}`);
    return toResource(view);
  }

  @Get()
  @AnyRole()
  @ApiOperation({
    summary: 'List pilots',
    description:
      'Oldest first, filtered, in pages. Scoped: the organisation running a pilot, the contract ' +
      'holder and its assigned evaluators see it; auditors and admins see all.',
  })
  @ApiOkResponse({ type: PilotPage })
  @ApiErrors(400, 401)
  list(@Query() query: PilotListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.pilots(query, user);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({
    summary: 'Read a pilot, now or as it was at asOf',
    description: 'Scoped as the list: others get 403.',
  })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'ISO 8601 time with offset.',
    example: '2027-03-01T09:00:00+01:00',
  })
  @ApiOkResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 404)
  read(
    @Param('id') id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Query('asOf') asOf?: string,
  ): Promise<PilotResource> {
    return this.queries.pilot(id, user, parseAsOf(asOf));
  }

  @Get(':id/history')
  @AnyRole()
  @ApiOperation({ summary: "The pilot's recorded changes", description: 'Scoped as the pilot.' })
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(401, 403, 404)
  history(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.pilotHistory(id, user);
  }

  @Post(':id/evaluators')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Assign evaluators allowed to assess TRL in this pilot',
    description: 'Organisation running the pilot only. Assigning someone again changes nothing.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async assignEvaluators(
    @Param('id') id: string,
    @Body() body: AssignEvaluatorsDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<PilotResource> {
    return stateOf(await this.commands.assignEvaluators(id, body.evaluatorIds, meta, expected));
  }

  @Post(':id/start')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start the pilot', description: 'Once; organisation running it only.' })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  async start(
    @Param('id') id: string,
    @Body() _body: StartPilotDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<PilotResource> {
    return stateOf(await this.commands.start(id, meta, expected));
  }

  @Post(':id/measurements')
  @Roles('procurer', 'supplier')
  @ApiOperation({
    summary: 'Record a KPI measurement',
    description:
      'While the pilot runs, by a procurer of the organisation running it or a supplier of the ' +
      'contract holder; `at` within the pilot dates and not in the future. The returned id can be ' +
      'cited as TRL evidence.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: RecordedMeasurementResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async measure(
    @Param('id') id: string,
    @Body() body: MeasurementDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ) {
    const { measurementId, view } = await this.commands.recordMeasurement(id, body, meta, expected);
    res.setHeader('Location', `/pilots/${id}/measurements/${measurementId}`);
    const measurement = view.measurements.find((m) => m.id === measurementId);
    return { ...measurement, pilotId: id, revision: view.revision };
  }

  @Post(':id/incidents')
  @Roles('procurer', 'supplier')
  @ApiOperation({
    summary: 'Report an incident with its severity',
    description:
      'While the pilot runs, by a procurer of the organisation running it or a supplier of the ' +
      'contract holder.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: ReportedIncidentResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async report(
    @Param('id') id: string,
    @Body() body: IncidentDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ) {
    const { incidentId, view } = await this.commands.reportIncident(id, body, meta, expected);
    res.setHeader('Location', `/pilots/${id}/incidents/${incidentId}`);
    const incident = view.incidents.find((i) => i.id === incidentId);
    return { ...incident, pilotId: id, revision: view.revision };
  }

  @Post(':id/trl-assessments')
  @Roles('evaluator')
  @ApiOperation({
    summary: 'Assess the TRL with evidence',
    description:
      "Evaluators assigned to the pilot, once it has started. Evidence: this pilot's measurement " +
      "ids and document references. The innovation's current TRL becomes the latest assessment; a " +
      'lower one is recorded as a downgrade, and the reason must explain it.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: RecordedAssessmentResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async assess(
    @Param('id') id: string,
    @Body() body: TrlAssessmentDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ) {
    const { assessmentId, view } = await this.commands.assessTrl(
      id,
      body,
      { ...meta, reason: body.reason },
      expected,
    );
    res.setHeader('Location', `/pilots/${id}/trl-assessments/${assessmentId}`);
    const assessment = view.trlAssessments.find((a) => a.id === assessmentId);
    return { ...assessment, pilotId: id, revision: view.revision };
  }

  @Post(':id/complete')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete the pilot; the outcome follows from the KPI targets',
    description:
      'SUCCESS when every KPI meets its target on its latest measurement, PARTIAL when some do, ' +
      'FAILED when none do or a KPI was never measured. The reason confirms it.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async complete(
    @Param('id') id: string,
    @Body() body: PilotReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<PilotResource> {
    return stateOf(
      await this.commands.complete(id, body.reason, { ...meta, reason: body.reason }, expected),
    );
  }

  @Post(':id/deployment-decision')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decide whether to deploy, with a reason and the roll-out sites',
    description:
      'Once the pilot is completed (409 before), once. deploy: true needs an assessed TRL of 8 or ' +
      'more (422). Sites are NUTS 2021 regions or registered testbed ids.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async decideDeployment(
    @Param('id') id: string,
    @Body() body: DeploymentDecisionDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ): Promise<PilotResource> {
    return stateOf(
      await this.commands.decideDeployment(id, body, { ...meta, reason: body.reason }, expected),
    );
  }

  @Post(':id/rollouts')
  @Roles('procurer')
  @ApiOperation({
    summary: 'Record a roll-out to a further site or region (scale-up)',
    description:
      'After a decision to deploy (409 before or after a decision not to); each site once. The site ' +
      'is a NUTS 2021 region or a registered testbed id; `at` not before the decision nor in the future.',
  })
  @IfMatchHeader()
  @IdempotencyKeyHeader()
  @ApiCreatedResponse({ type: PilotResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async rollout(
    @Param('id') id: string,
    @Body() body: RolloutDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PilotResource> {
    const reason = body.reason ?? null;
    const outcome = await this.commands.recordRollout(id, body, { ...meta, reason }, expected);
    res.setHeader('Location', `/pilots/${id}/rollouts`);
    return stateOf(outcome);
  }

  @Get(':id/measurements')
  @AnyRole()
  @ApiOperation({
    summary: "The pilot's measurements, oldest first",
    description: 'Scoped as the pilot, in pages.',
  })
  @ApiOkResponse({ type: MeasurementList })
  @ApiErrors(400, 401, 403, 404)
  measurements(
    @Param('id') id: string,
    @Query() query: ListQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItemPage(id, 'measurements', user, query);
  }

  @Get(':id/measurements/:itemId')
  @AnyRole()
  @ApiOperation({ summary: 'One measurement', description: 'Scoped as the pilot.' })
  @ApiOkResponse({ type: MeasurementResponse })
  @ApiErrors(401, 403, 404)
  measurement(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItem(id, 'measurements', itemId, user);
  }

  @Get(':id/incidents')
  @AnyRole()
  @ApiOperation({
    summary: "The pilot's incidents, oldest first",
    description: 'Scoped as the pilot, in pages.',
  })
  @ApiOkResponse({ type: IncidentList })
  @ApiErrors(400, 401, 403, 404)
  incidents(
    @Param('id') id: string,
    @Query() query: ListQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItemPage(id, 'incidents', user, query);
  }

  @Get(':id/incidents/:itemId')
  @AnyRole()
  @ApiOperation({ summary: 'One incident', description: 'Scoped as the pilot.' })
  @ApiOkResponse({ type: IncidentResponse })
  @ApiErrors(401, 403, 404)
  incident(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItem(id, 'incidents', itemId, user);
  }

  @Get(':id/trl-assessments')
  @AnyRole()
  @ApiOperation({
    summary: "The pilot's TRL assessments, oldest first",
    description: "The last is the pilot's latest. Scoped as the pilot, in pages.",
  })
  @ApiOkResponse({ type: TrlAssessmentList })
  @ApiErrors(400, 401, 403, 404)
  assessments(
    @Param('id') id: string,
    @Query() query: ListQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItemPage(id, 'trlAssessments', user, query);
  }

  @Get(':id/trl-assessments/:itemId')
  @AnyRole()
  @ApiOperation({ summary: 'One TRL assessment', description: 'Scoped as the pilot.' })
  @ApiOkResponse({ type: TrlAssessmentResponse })
  @ApiErrors(401, 403, 404)
  assessment(
    @Param('id') id: string,
    @Param('itemId') itemId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItem(id, 'trlAssessments', itemId, user);
  }

  @Get(':id/rollouts')
  @AnyRole()
  @ApiOperation({
    summary: "The pilot's roll-outs (scale-up), oldest first",
    description: 'Scoped as the pilot, in pages.',
  })
  @ApiOkResponse({ type: RolloutList })
  @ApiErrors(400, 401, 403, 404)
  rollouts(
    @Param('id') id: string,
    @Query() query: ListQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.pilotItemPage(id, 'rollouts', user, query);
  }
}
