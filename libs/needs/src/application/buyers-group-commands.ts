import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
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
  buyersGroupDecider,
  needDecider,
  type BuyersGroupCommand,
  type BuyersGroupEvent,
  type BuyersGroupState,
  type NeedCommand,
  type NeedEvent,
  type NeedFacts,
  type NeedState,
} from '../domain';
import { buyersGroupViewOf, type BuyersGroupView } from '../read-models/buyers-group-view';
import { actorOrgOf } from './need-commands';
import { buyersGroupStream, needStream } from './streams';

/**
 * Forms and joins buyers groups. A group and each of its needs are separate streams, so
 * one change is several appends; their order is chosen so that a failure half-way leaves
 * nothing behind that contradicts the rules:
 *
 * 1. the group's rules are decided first on fresh facts of the needs, appending nothing;
 * 2. each need is claimed on its own stream (`NeedGrouped`): that append, decided against
 *    the need's latest state, is what keeps a need in one group when two groups race;
 * 3. the group's event is appended last, so other contexts hear of a group only once all
 *    its needs are claimed.
 *
 * When a claim or the group's append fails, the claims already made are released
 * (`NeedReleased`, with the reason in the history) and the error goes back to the caller.
 * Only a crash between 2 and 3 can leave a claim without its group; the need's history
 * shows it, and `ReleaseNeed` for that group id frees the need.
 */
@Injectable()
export class BuyersGroupCommands {
  private readonly logger = new Logger('BuyersGroups');
  private readonly needs: CommandHandler<NeedCommand, NeedState, NeedEvent>;
  private readonly groups: CommandHandler<BuyersGroupCommand, BuyersGroupState, BuyersGroupEvent>;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.needs = new CommandHandler(store, needDecider);
    this.groups = new CommandHandler(store, buyersGroupDecider);
  }

  async form(
    input: { name: string; needIds: string[] },
    metadata: CommandMetadata,
  ): Promise<BuyersGroupView> {
    const buyersGroupId = randomUUID();
    const needIds = Array.isArray(input.needIds) ? input.needIds : [];
    const facts = await this.factsOf([...new Set(needIds)]);
    const command: BuyersGroupCommand = {
      type: 'FormBuyersGroup',
      buyersGroupId,
      actorOrg: actorOrgOf(metadata),
      name: input.name,
      needIds,
      needs: facts,
    };
    buyersGroupDecider.decide(command, buyersGroupDecider.initialState());
    const result = await this.withClaims(buyersGroupId, [...new Set(needIds)], metadata, () =>
      this.groups.handle(buyersGroupStream(buyersGroupId), command, metadata, NO_STREAM),
    );
    return this.viewOf(buyersGroupId, result);
  }

  async join(
    buyersGroupId: string,
    needId: string,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<BuyersGroupView> {
    const stream = buyersGroupStream(buyersGroupId);
    const group = await this.groups.load(stream);
    if (group.state.status === 'NONE') {
      throw new NotFoundError(`There is no buyers group with the id ${buyersGroupId}`);
    }
    // A stale If-Match is refused before any need is claimed.
    if (expected !== undefined && group.revision !== expected) {
      throw new ConcurrencyError(stream, expected, group.revision);
    }
    const [need] = await this.factsOf([needId]);
    const command: BuyersGroupCommand = {
      type: 'JoinBuyersGroup',
      actorOrg: actorOrgOf(metadata),
      needId,
      need,
    };
    buyersGroupDecider.decide(command, group.state);
    const result = await this.withClaims(buyersGroupId, [needId], metadata, () =>
      this.groups.handle(stream, command, metadata, expected),
    );
    return this.viewOf(buyersGroupId, result);
  }

  /** Claims the needs for the group, runs the group's append, and releases the claims if anything fails. */
  private async withClaims<T>(
    buyersGroupId: string,
    needIds: string[],
    metadata: CommandMetadata,
    appendToGroup: () => Promise<T>,
  ): Promise<T> {
    const claimed: string[] = [];
    try {
      for (const needId of needIds) {
        await this.needs.handle(needStream(needId), { type: 'GroupNeed', buyersGroupId }, metadata);
        claimed.push(needId);
      }
      return await appendToGroup();
    } catch (error) {
      await this.release(buyersGroupId, claimed, metadata, error);
      throw error;
    }
  }

  private async release(
    buyersGroupId: string,
    needIds: string[],
    metadata: CommandMetadata,
    cause: unknown,
  ): Promise<void> {
    const why = cause instanceof Error ? cause.message : String(cause);
    for (const needId of needIds) {
      try {
        await this.needs.handle(
          needStream(needId),
          { type: 'ReleaseNeed', buyersGroupId },
          { ...metadata, reason: `Buyers group ${buyersGroupId} was not formed or joined: ${why}` },
        );
      } catch (error) {
        this.logger.error(
          `need ${needId} stays claimed for buyers group ${buyersGroupId}: ${String(error)}`,
        );
      }
    }
  }

  /** What the group rules need to know of each need, read from its own stream (fresh). */
  private async factsOf(needIds: string[]): Promise<NeedFacts[]> {
    const facts: NeedFacts[] = [];
    for (const id of needIds) {
      const { state } = await this.needs.load(needStream(id));
      if (state.status === 'NONE') continue;
      facts.push({
        id,
        org: state.org as string,
        region: state.region as string,
        status: state.status,
        buyersGroupId: state.buyersGroupId,
      });
    }
    return facts;
  }

  /** The group right after this command, even when others have changed it since. */
  private viewOf(buyersGroupId: string, result: CommandResult<BuyersGroupState>): BuyersGroupView {
    const view = buyersGroupViewOf(result.stream);
    if (!view)
      throw new Error(`buyers group ${buyersGroupId} has no event at revision ${result.revision}`);
    return view;
  }
}
