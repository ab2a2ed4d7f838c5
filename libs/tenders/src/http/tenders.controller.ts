import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AnyRole, CurrentUser, Public, Roles, type AuthenticatedUser } from '@pcp/auth';
import type { CommandMetadata } from '@pcp/eventsourcing';
import { CommandContext, HistoryResponse, IfMatch, ListQueryDto, parseAsOf } from '@pcp/http';
import { TenderCommands, type TenderOutcome } from '../application/tender-commands';
import { TenderQueries } from '../application/tender-queries';
import { tenderViewFor } from '../read-models/tender-view';
import { ApiErrors, CommandHeaders, PublicErrors } from './openapi';
import {
  BidResponse,
  BidsResponse,
  ConflictResponse,
  DeliverableResponse,
  ParticipationsResponse,
  PhaseContractsResponse,
  RankingResponse,
  ScoresResponse,
  SubmittedBidResponse,
  TenderPage,
  TenderResponse,
  WithdrawnBidResponse,
} from './responses';
import {
  AmendTenderDto,
  AwardDto,
  CompletePhaseDto,
  ConflictDeclarationDto,
  CreateTenderDto,
  DeliverableDto,
  DownSelectDto,
  EvaluatorsDto,
  OptionalReasonDto,
  TenderReasonDto,
  ScoresDto,
  SubmitBidDto,
  TenderListQueryDto,
} from './tender.dto';

interface HttpResponse {
  setHeader(name: string, value: string): void;
  status(code: number): unknown;
}

const phaseParam = () => new ParseIntPipe({ errorHttpStatusCode: 400 });

@ApiTags('tenders')
@Controller('tenders')
export class TendersController {
  constructor(
    private readonly commands: TenderCommands,
    private readonly queries: TenderQueries,
  ) {}

  @Post()
  @Roles('procurer')
  @ApiOperation({
    summary: 'Draft a PCP or PPI call on a routed consultation',
    description:
      "The consultation must be your organisation's and routed to this procedure (PCP to PCP; " +
      'PPI, or INNOVATION_PARTNERSHIP to a PPI innovation partnership). Starts as DRAFT.',
  })
  @CommandHeaders()
  @ApiCreatedResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 422)
  async create(
    @Body() body: CreateTenderDto,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const outcome = await this.commands.draft(body, meta);
    res.setHeader('Location', `/tenders/${outcome.id}`);
    return this.view(outcome, user);
  }

  @Get()
  @AnyRole()
  @ApiOperation({
    summary: 'List tenders',
    description:
      "Oldest first, filtered, in pages. Drafts appear to auditors, and to procurers listing their own organisation's (org filter).",
  })
  @ApiOkResponse({ type: TenderPage })
  @ApiErrors(400, 401)
  list(@Query() query: TenderListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.list(query, user);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({
    summary: 'Read a tender, now or as it was at asOf',
    description:
      'Public fields for everyone once published (a draft is 404 outside its organisation and ' +
      'audit); the bid count for the contracting organisation and auditors; deliverables for ' +
      'them and the contract holder.',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 time with offset.' })
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 404)
  read(
    @Param('id') id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Query('asOf') asOf?: string,
  ) {
    return this.queries.tender(id, user, parseAsOf(asOf));
  }

  @Get(':id/history')
  @AnyRole()
  @ApiOperation({
    summary: "The tender's recorded changes",
    description:
      'Before opening, bid events are sealed for everyone but the bidder; evaluators see only their ' +
      'own declarations and scores until all have scored. The count of bids in BiddingClosed is ' +
      'for the procurer, auditors and assigned evaluators only. After opening, readers other than the ' +
      'procurer and auditors see their own part of the opened bids and the ranking (all of it for ' +
      "an assigned evaluator), and other organisations' rejections, deliverables and assessed TRLs " +
      'as { tenderId, withheld: true }.',
  })
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(401, 404)
  history(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.history(id, user);
  }

  @Get(':id/ocds')
  @Public()
  @ApiOperation({
    summary: 'OCDS 1.1 release package of what is public',
    description:
      'No token needed. Nothing about sealed bids; 404 while the call is a draft. An awarded ' +
      "supplier's party carries its bid's contact person as contactPoint, unless erased.",
  })
  @ApiOkResponse({
    description: 'An OCDS 1.1 release package (https://standard.open-contracting.org/1.1/).',
  })
  @PublicErrors(404)
  ocds(@Param('id') id: string) {
    return this.queries.ocds(id);
  }

  @Post(':id/publish')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish the call; bids are accepted until the submission deadline' })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async publish(
    @Param('id') id: string,
    @Body() _body: OptionalReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(await this.commands.publish(id, meta, expected), user);
  }

  @Post(':id/amend')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Amend the call before its deadline, with a reason',
    description: 'A material change asks every bidder to reconfirm its bid.',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async amend(
    @Param('id') id: string,
    @Body() body: AmendTenderDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const { reason, ...changes } = body;
    return this.view(await this.commands.amend(id, { ...changes }, reason, meta, expected), user);
  }

  @Post(':id/cancel')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the tender, with a reason' })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  async cancel(
    @Param('id') id: string,
    @Body() body: TenderReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(await this.commands.cancel(id, body.reason, meta, expected), user);
  }

  @Post(':id/unsuccessful')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Declare the tender unsuccessful, with a reason',
    description:
      'After the deadline, when no admissible bid is left (none arrived, or all were rejected).',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async unsuccessful(
    @Param('id') id: string,
    @Body() body: TenderReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(
      await this.commands.declareUnsuccessful(id, body.reason, meta, expected),
      user,
    );
  }

  @Post(':id/bids')
  @Roles('supplier')
  @ApiOperation({
    summary: 'Submit a sealed bid, or replace your standing one',
    description:
      'Only while the tender is published and before the deadline (server clock); a late bid is ' +
      'refused (409) and the refusal recorded. A second bid of the same organisation replaces the ' +
      'first (200) and keeps its id. Nobody but your organisation can read it before opening. The ' +
      "token's `sme` claim is sealed with the bid and published only at opening (SME statistics).",
  })
  @CommandHeaders()
  @ApiCreatedResponse({ type: SubmittedBidResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async submitBid(
    @Param('id') id: string,
    @Body() body: SubmitBidDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const bid = await this.commands.submitBid(id, body, meta, expected, user.sme ?? null);
    if (bid.replaced) res.status(200);
    res.setHeader('Location', `/tenders/${id}/bids/${bid.bidId}`);
    return {
      id: bid.bidId,
      bidId: bid.bidId,
      tenderId: id,
      innovationId: bid.innovationId,
      replaced: bid.replaced,
      revision: bid.revision,
    };
  }

  @Post(':id/bids/:bidId/withdraw')
  @Roles('supplier')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw your bid before the deadline' })
  @CommandHeaders()
  @ApiOkResponse({ type: WithdrawnBidResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  async withdrawBid(
    @Param('id') id: string,
    @Param('bidId') bidId: string,
    @Body() body: OptionalReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ) {
    const outcome = await this.commands.withdrawBid(id, bidId, body.reason ?? null, meta, expected);
    return { ...outcome, tenderId: id, status: 'WITHDRAWN' };
  }

  @Get(':id/bids')
  @AnyRole()
  @ApiOperation({
    summary: 'Bids',
    description:
      'Before opening: the procurer gets only { count }, a supplier its own bids. After opening: ' +
      'the procurer, the assigned evaluators and auditors read them all; a supplier its own.',
  })
  @ApiOkResponse({ type: BidsResponse })
  @ApiErrors(401, 403, 404)
  bids(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.bids(id, user);
  }

  @Get(':id/bids/:bidId')
  @AnyRole()
  @ApiOperation({
    summary: 'One bid',
    description:
      'For its bidder at any time; after opening, for the procurer, the assigned evaluators and ' +
      'auditors. Before opening anyone else gets 403, and a bid the caller does not see is 404.',
  })
  @ApiOkResponse({ type: BidResponse })
  @ApiErrors(401, 403, 404)
  bid(
    @Param('id') id: string,
    @Param('bidId') bidId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.bid(id, bidId, user);
  }

  @Post(':id/open-bids')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Open the sealed bids, after the deadline',
    description: 'Closes bidding first when the deadline has passed and that is not recorded yet.',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async openBids(
    @Param('id') id: string,
    @Body() _body: OptionalReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(await this.commands.openBids(id, meta, expected), user);
  }

  @Post(':id/bids/:bidId/reject')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject an opened bid as inadmissible, with a reason' })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  async rejectBid(
    @Param('id') id: string,
    @Param('bidId') bidId: string,
    @Body() body: TenderReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(await this.commands.rejectBid(id, bidId, body.reason, meta, expected), user);
  }

  @Post(':id/evaluators')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign evaluators (user ids) once the bids are opened' })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async evaluators(
    @Param('id') id: string,
    @Body() body: EvaluatorsDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(
      await this.commands.assignEvaluators(id, body.evaluatorIds, meta, expected),
      user,
    );
  }

  @Post(':id/bids/:bidId/conflict-declarations')
  @Roles('evaluator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Declare whether you have a conflict of interest with a bid',
    description: 'Before scoring it; a declared conflict excludes you from that bid. Final.',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: ConflictResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async conflict(
    @Param('id') id: string,
    @Param('bidId') bidId: string,
    @Body() body: ConflictDeclarationDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
  ) {
    const outcome = await this.commands.declareConflict(
      id,
      { bidId, conflict: body.conflict, note: body.note ?? null },
      meta,
      expected,
    );
    return { tenderId: id, bidId, conflict: body.conflict, revision: outcome.revision };
  }

  @Post(':id/bids/:bidId/scores')
  @Roles('evaluator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Score a bid on every criterion (0-100)',
    description:
      "After declaring no conflict for it; once, by each assigned evaluator. The token's name is " +
      'recorded with the scores as personal data (sealed, erasable with POST /people/{personId}/erasure).',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: ScoresResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async score(
    @Param('id') id: string,
    @Param('bidId') bidId: string,
    @Body() body: ScoresDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const outcome = await this.commands.score(id, bidId, body.scores, meta, expected, user.name);
    return {
      tenderId: id,
      bidId,
      scores: body.scores,
      evaluationComplete: outcome.state.ranking !== null,
      revision: outcome.revision,
    };
  }

  @Get(':id/ranking')
  @AnyRole()
  @ApiOperation({
    summary: 'Ranking by weighted score',
    description:
      "The tender's procurers and auditors at any time; assigned evaluators once all have scored.",
  })
  @ApiOkResponse({ type: RankingResponse })
  @ApiErrors(401, 403, 404, 409)
  ranking(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.ranking(id, user);
  }

  @Post(':id/phases/:n/award')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Award the phase 1 contracts (or the PPI contracts)',
    description:
      'After every admissible bid is scored; passing over a higher-ranked bid, or a PCP phase 1 ' +
      'with fewer than 2 suppliers, needs a justification.',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: PhaseContractsResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async award(
    @Param('id') id: string,
    @Param('n', phaseParam()) phase: number,
    @Body() body: AwardDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const outcome = await this.commands.award(id, { phase, ...body }, meta, expected);
    return this.phaseContracts(outcome, phase, user);
  }

  @Post(':id/contracts/:contractId/deliverables')
  @Roles('supplier')
  @ApiOperation({ summary: 'Hand in a deliverable of your running contract' })
  @CommandHeaders()
  @ApiCreatedResponse({ type: DeliverableResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async deliverable(
    @Param('id') id: string,
    @Param('contractId') contractId: string,
    @Body() body: DeliverableDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const outcome = await this.commands.submitDeliverable(id, contractId, body, meta, expected);
    res.setHeader(
      'Location',
      `/tenders/${id}/contracts/${contractId}/deliverables/${outcome.deliverableId}`,
    );
    return {
      id: outcome.deliverableId,
      tenderId: id,
      contractId,
      title: body.title,
      accepted: false,
      revision: outcome.revision,
    };
  }

  @Get(':id/contracts/:contractId/deliverables/:did')
  @AnyRole()
  @ApiOperation({
    summary: 'One deliverable',
    description: "For the tender's procurers, auditors and the contract holder.",
  })
  @ApiOkResponse({ type: DeliverableResponse })
  @ApiErrors(401, 403, 404)
  deliverableOf(
    @Param('id') id: string,
    @Param('contractId') contractId: string,
    @Param('did') deliverableId: string,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.queries.deliverable(id, contractId, deliverableId, user);
  }

  @Post(':id/contracts/:contractId/deliverables/:did/accept')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a deliverable' })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  async accept(
    @Param('id') id: string,
    @Param('contractId') contractId: string,
    @Param('did') deliverableId: string,
    @Body() _body: OptionalReasonDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(
      await this.commands.acceptDeliverable(id, contractId, deliverableId, meta, expected),
      user,
    );
  }

  @Post(':id/phases/:n/complete')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete phase n with the intermediate evaluation of every contract',
    description:
      'Each result carries passed, the assessed TRL and a reason. The last phase completes the tender.',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: TenderResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async complete(
    @Param('id') id: string,
    @Param('n', phaseParam()) phase: number,
    @Body() body: CompletePhaseDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    return this.view(
      await this.commands.completePhase(id, phase, body.results, meta, expected),
      user,
    );
  }

  @Post(':id/phases/:n/down-select')
  @Roles('procurer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Down-select the suppliers that continue into phase n',
    description:
      'Only contracts of phase n-1 that passed; never more than phase n allows; fewer than 2 needs a justification.',
  })
  @CommandHeaders()
  @ApiOkResponse({ type: PhaseContractsResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async downSelect(
    @Param('id') id: string,
    @Param('n', phaseParam()) phase: number,
    @Body() body: DownSelectDto,
    @IfMatch() expected: bigint | undefined,
    @CommandContext() meta: CommandMetadata,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const outcome = await this.commands.downSelect(id, phase, body, meta, expected);
    return this.phaseContracts(outcome, phase, user);
  }

  private view(outcome: TenderOutcome, user: AuthenticatedUser) {
    return tenderViewFor(outcome.state, outcome.revision, user);
  }

  private phaseContracts(outcome: TenderOutcome, phase: number, user: AuthenticatedUser) {
    const view = this.view(outcome, user);
    return {
      tenderId: view.id,
      phase,
      status: view.status,
      contracts: view.contracts
        .filter((c) => c.phase === phase)
        .map((c) => ({
          id: c.contractId,
          contractId: c.contractId,
          bidId: c.bidId,
          innovationId: c.innovationId,
          supplierOrg: c.supplierOrg,
          frameworkAgreementId: c.frameworkAgreementId,
          previousContractId: c.previousContractId,
        })),
      revision: view.revision,
    };
  }
}

@ApiTags('tenders')
@Controller('me')
export class ParticipationsController {
  constructor(private readonly queries: TenderQueries) {}

  @Get('participations')
  @Roles('supplier')
  @ApiOperation({
    summary: "Your organisation's tenders",
    description:
      'Its bids, its contracts per phase with their status, deliverables due and the next ' +
      'deadline; one item per tender, in pages by tender id.',
  })
  @ApiOkResponse({ type: ParticipationsResponse })
  @ApiErrors(400, 401, 403)
  participations(@Query() query: ListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.queries.participations(user, query);
  }
}
