import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isNutsCode } from '@pcp/contracts';
import { DOCUMENT_STORE, type DocumentStore } from '@pcp/documents';
import {
  CommandHandler,
  ConcurrencyError,
  EVENT_STORE,
  NO_STREAM,
  NotFoundError,
  type CommandMetadata,
  type CommandResult,
  type EventStore,
} from '@pcp/eventsourcing';
import {
  LIVING_LAB_MIN_TRL,
  MEASUREMENT_ID_PREFIX,
  pilotDecider,
  testbedDecider,
  testbedFacts,
  type KpiInput,
  type PilotCommand,
  type PilotEvent,
  type PilotState,
  type TestbedCommand,
  type TestbedEvent,
  type TestbedFacts,
  type TestbedState,
} from '../domain';
import { KnownContracts } from '../integration/known-contracts';
import {
  pilotViewOf,
  testbedViewOf,
  type PilotView,
  type TestbedView,
} from '../read-models/pilot-view';
import { PILOTS_COLLECTION } from '../read-models/pilots.projection';
import { CLOCK, type Clock } from './settings';
import { pilotStream, testbedStream } from './streams';

export interface RegisterTestbedInput {
  name: string;
  type: string;
  region: string;
  enollLabelled?: boolean;
  capabilities: string[];
  capacity?: number;
}

export interface PlanPilotInput {
  contractId: string;
  testbedId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  kpis: KpiInput[];
}

export interface DeploymentInput {
  deploy: boolean;
  reason: string;
  sites?: string[];
}

export interface RolloutInput {
  site: string;
  region?: string;
  /** Default: now. */
  at?: string;
  reason?: string;
}

export interface CommandOutcome {
  view: PilotView;
  revision: number;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Runs the testbed and pilot commands of procurers, suppliers and evaluators. */
@Injectable()
export class PilotCommands {
  private readonly pilots: CommandHandler<PilotCommand, PilotState, PilotEvent>;
  private readonly testbeds: CommandHandler<TestbedCommand, TestbedState, TestbedEvent>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly known: KnownContracts,
  ) {
    const options = { now: () => clock.now() };
    this.pilots = new CommandHandler(store, pilotDecider, options);
    this.testbeds = new CommandHandler(store, testbedDecider, options);
  }

  async registerTestbed(
    input: RegisterTestbedInput,
    metadata: CommandMetadata,
  ): Promise<TestbedView> {
    const testbedId = randomUUID();
    await this.testbeds.handle(
      testbedStream(testbedId),
      {
        type: 'RegisterTestbed',
        testbedId,
        actorOrg: actorOrgOf(metadata),
        name: input.name,
        testbedType: input.type,
        region: input.region,
        enollLabelled: input.enollLabelled ?? null,
        capabilities: input.capabilities,
        capacity: input.capacity ?? null,
      },
      metadata,
      NO_STREAM,
    );
    const view = testbedViewOf(await this.store.readStream(testbedStream(testbedId)));
    if (!view) throw new Error(`testbed ${testbedId} was not recorded`);
    return view;
  }

  /** Plans on a contract pilots has heard of from the tenders context, at a registered testbed. */
  async plan(input: PlanPilotInput, metadata: CommandMetadata): Promise<PilotView> {
    const pilotId = randomUUID();
    const [contract, testbed, activePilotsAtTestbed] = await Promise.all([
      this.known.contract(input.contractId),
      this.testbed(input.testbedId),
      this.documents
        .collection(PILOTS_COLLECTION)
        .count({ testbedId: input.testbedId, status: { $in: ['PLANNED', 'RUNNING'] } }),
    ]);
    let knownTrl = contract ? await this.known.latestTrl(contract.innovationId) : null;
    // The contract's own phase evaluation may still be on its way from the tenders context
    // (over Kafka it lags the command that completed the phase, and may come after the news
    // that the contract ended): wait for it before a living lab refuses on the TRL of an
    // earlier phase.
    if (
      contract?.procedure === 'PCP' &&
      testbed?.type === 'LIVING_LAB' &&
      (knownTrl?.trl ?? 0) < LIVING_LAB_MIN_TRL
    ) {
      await this.known.phaseEvaluationOf(contract);
      knownTrl = await this.known.latestTrl(contract.innovationId);
    }
    const result = await this.pilots.handle(
      pilotStream(pilotId),
      {
        type: 'PlanPilot',
        pilotId,
        actorOrg: actorOrgOf(metadata),
        contractId: input.contractId,
        contract,
        testbedId: input.testbedId,
        testbed,
        activePilotsAtTestbed,
        knownTrl,
        title: input.title,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        kpis: input.kpis,
      },
      metadata,
      NO_STREAM,
    );
    return this.viewOf(pilotId, result);
  }

  assignEvaluators(
    id: string,
    evaluatorIds: string[],
    metadata: CommandMetadata,
    expected?: bigint,
  ) {
    return this.run(id, { type: 'AssignPilotEvaluators', evaluatorIds }, metadata, expected);
  }

  start(id: string, metadata: CommandMetadata, expected?: bigint) {
    return this.run(id, { type: 'StartPilot', now: this.clock.now() }, metadata, expected);
  }

  async recordMeasurement(
    id: string,
    input: { kpi: string; value: number; at: string },
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ measurementId: string } & CommandOutcome> {
    // The prefix lets TRL evidence tell a measurement from a document reference.
    const measurementId = `${MEASUREMENT_ID_PREFIX}${randomUUID()}`;
    const outcome = await this.run(
      id,
      {
        type: 'RecordMeasurement',
        actorRoles: metadata.actor.roles,
        measurementId,
        ...input,
        now: this.clock.now(),
      },
      metadata,
      expected,
    );
    return { measurementId, ...outcome };
  }

  async reportIncident(
    id: string,
    input: { severity: string; description: string },
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ incidentId: string } & CommandOutcome> {
    const incidentId = `inc-${randomUUID()}`;
    const outcome = await this.run(
      id,
      {
        type: 'ReportIncident',
        actorRoles: metadata.actor.roles,
        incidentId,
        ...input,
        now: this.clock.now(),
      },
      metadata,
      expected,
    );
    return { incidentId, ...outcome };
  }

  async assessTrl(
    id: string,
    input: { trl: number; evidence: string[]; reason: string },
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ assessmentId: string } & CommandOutcome> {
    const current = await this.current(id);
    const assessmentId = `trl-${randomUUID()}`;
    const outcome = await this.handle(
      id,
      {
        type: 'AssessTrl',
        actorUserId: metadata.actor.userId,
        assessmentId,
        ...input,
        knownTrl: await this.known.latestTrl(current.innovationId),
        now: this.clock.now(),
      },
      metadata,
      expected,
    );
    return { assessmentId, ...outcome };
  }

  complete(id: string, reason: string, metadata: CommandMetadata, expected?: bigint) {
    return this.run(
      id,
      { type: 'CompletePilot', reason, now: this.clock.now() },
      metadata,
      expected,
    );
  }

  async decideDeployment(
    id: string,
    input: DeploymentInput,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<CommandOutcome> {
    const current = await this.current(id);
    const sites = input.sites ?? [];
    const siteTestbeds = (await Promise.all(sites.map((s) => this.siteTestbed(s)))).filter(
      (t): t is TestbedFacts => t !== undefined,
    );
    return this.run(
      id,
      {
        type: 'DecideDeployment',
        deploy: input.deploy,
        reason: input.reason,
        sites,
        siteTestbeds,
        knownTrl: await this.known.latestTrl(current.innovationId),
        now: this.clock.now(),
      },
      metadata,
      expected,
    );
  }

  async recordRollout(
    id: string,
    input: RolloutInput,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<CommandOutcome> {
    await this.current(id);
    const now = this.clock.now();
    return this.run(
      id,
      {
        type: 'RecordRollout',
        site: input.site,
        region: input.region ?? null,
        at: input.at ?? now.toISOString(),
        reason: input.reason ?? null,
        siteTestbed: await this.siteTestbed(input.site),
        now,
      },
      metadata,
      expected,
    );
  }

  private run(
    id: string,
    command: DistributiveOmit<PilotCommand, 'actorOrg'>,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<CommandOutcome> {
    return this.handle(
      id,
      { ...command, actorOrg: actorOrgOf(metadata) } as PilotCommand,
      metadata,
      expected,
    );
  }

  private async handle(
    id: string,
    command: PilotCommand,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<CommandOutcome> {
    const result = await this.pilots
      .handle(pilotStream(id), command, metadata, expected)
      .catch((error: unknown) => {
        // An If-Match on a pilot that does not exist is about an unknown id.
        if (error instanceof ConcurrencyError && error.actual === null) throw notFound(id);
        throw error;
      });
    if (result.revision < 0n) throw notFound(id);
    const view = this.viewOf(id, result);
    return { view, revision: view.revision };
  }

  /** The pilot as it stands, for the facts a command needs beforehand (its innovation). */
  private async current(id: string): Promise<PilotView> {
    const view = pilotViewOf(await this.store.readStream(pilotStream(id)));
    if (!view) throw notFound(id);
    return view;
  }

  private async testbed(id: string): Promise<TestbedFacts | undefined> {
    const events = await this.store.readStream(testbedStream(id));
    if (events.length === 0) return undefined;
    let state = testbedDecider.initialState();
    for (const e of events) {
      state = testbedDecider.evolve(state, { type: e.type, data: e.data } as TestbedEvent);
    }
    return testbedFacts(state);
  }

  /** The registered testbed a roll-out site names; regions are no testbeds. */
  private async siteTestbed(site: string): Promise<TestbedFacts | undefined> {
    if (typeof site !== 'string' || isNutsCode(site)) return undefined;
    return this.testbed(site);
  }

  /** The pilot right after this command, even when others have changed it since. */
  private viewOf(id: string, result: CommandResult<PilotState>): PilotView {
    const view = pilotViewOf(result.stream);
    if (!view) throw new Error(`pilot ${id} has no event at revision ${result.revision}`);
    return view;
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`There is no pilot with the id ${id}`, 'PILOT_NOT_FOUND');
}

function actorOrgOf(metadata: CommandMetadata): string {
  if (!metadata.actor.org) throw new Error('a pilots command needs the actor organisation');
  return metadata.actor.org;
}
