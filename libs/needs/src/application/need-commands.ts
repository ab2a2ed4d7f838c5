import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CommandHandler,
  ConcurrencyError,
  EVENT_STORE,
  NotFoundError,
  type CommandMetadata,
  type CommandResult,
  type EventStore,
  type ExpectedRevision,
  NO_STREAM,
} from '@pcp/eventsourcing';
import {
  needDecider,
  type Evidence,
  type NeedCommand,
  type NeedEvent,
  type NeedState,
} from '../domain';
import { needViewOf, type NeedView } from '../read-models/need-view';
import { needStream } from './streams';

export interface RecordNeedInput {
  title: string;
  description: string;
  region: string;
  diseaseField: string;
  scope: string[];
  patientPopulation: number;
  budgetEstimateEur: number;
  barriers: string[];
  evidence: Evidence[];
}

type ChangeCommand = Exclude<NeedCommand, { type: 'RecordNeed' | 'GroupNeed' | 'ReleaseNeed' }>;
/** A change a procurer asks for; the acting organisation comes from the metadata. */
export type NeedChange = ChangeCommand extends infer C
  ? C extends { actorOrg: string }
    ? Omit<C, 'actorOrg'>
    : never
  : never;

/** Runs the need commands of procurers: record, validate, reject, prioritise, withdraw. */
@Injectable()
export class NeedCommands {
  private readonly needs: CommandHandler<NeedCommand, NeedState, NeedEvent>;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.needs = new CommandHandler(store, needDecider);
  }

  async record(input: RecordNeedInput, metadata: CommandMetadata): Promise<NeedView> {
    const needId = randomUUID();
    const result = await this.needs.handle(
      needStream(needId),
      {
        type: 'RecordNeed',
        needId,
        actorOrg: actorOrgOf(metadata),
        ...input,
      },
      metadata,
      NO_STREAM,
    );
    return this.viewOf(needId, result);
  }

  async change(
    needId: string,
    change: NeedChange,
    metadata: CommandMetadata,
    expected?: ExpectedRevision,
  ): Promise<NeedView> {
    const command = { ...change, actorOrg: actorOrgOf(metadata) } as NeedCommand;
    const result = await this.needs
      .handle(needStream(needId), command, metadata, expected)
      .catch(unknownUnderIfMatch(`There is no need with the id ${needId}`));
    return this.viewOf(needId, result);
  }

  /** The need right after this command, even when others have changed it since. */
  private viewOf(needId: string, result: CommandResult<NeedState>): NeedView {
    const view = needViewOf(result.stream);
    if (!view)
      throw new Error(`need ${needId} has no recorded event at revision ${result.revision}`);
    return view;
  }
}

/** An If-Match on a stream that does not exist is about an unknown id: 404, not a conflict. */
export function unknownUnderIfMatch(message: string) {
  return (error: unknown): never => {
    if (error instanceof ConcurrencyError && error.actual === null)
      throw new NotFoundError(message);
    throw error;
  };
}

export function actorOrgOf(metadata: CommandMetadata): string {
  if (!metadata.actor.org) throw new Error('a procurer command needs the actor organisation');
  return metadata.actor.org;
}
