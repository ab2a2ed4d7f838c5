import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  jsonEvent,
  StreamNotFoundError,
} from '@eventstore/db-client';
import {
  anchorPageSize,
  type Anchor,
  type AnchorStore,
  type ListAnchorsOptions,
  type NewAnchor,
} from '../../integrity/anchors';
import { streamNames } from './stream-names';

interface AnchorData {
  [key: string]: unknown;
  createdAt: string;
  root: string;
  streamCount: number;
  eventCount: string;
  heads: { streamId: string; revision: string; hash: string }[];
}

/**
 * Anchors as events of a `$pcp-` stream of their own (one per scope, see `streamNames`); the
 * anchor id is its revision there.
 */
export class EventStoreDbAnchorStore implements AnchorStore {
  private readonly stream: string;

  constructor(
    private readonly client: EventStoreDBClient,
    scope?: string | null,
  ) {
    this.stream = streamNames(scope).anchors;
  }

  async recordAnchor(anchor: NewAnchor): Promise<Anchor> {
    const data: AnchorData = {
      createdAt: new Date().toISOString(),
      root: anchor.root,
      streamCount: anchor.streamCount,
      eventCount: anchor.eventCount.toString(),
      heads: anchor.heads.map((head) => ({ ...head, revision: head.revision.toString() })),
    };
    const result = await this.client.appendToStream(
      this.stream,
      jsonEvent({ id: randomUUID(), type: 'AnchorRecorded', data }),
    );
    return { ...anchor, id: result.nextExpectedRevision.toString(), createdAt: data.createdAt };
  }

  async latestAnchor(): Promise<Anchor | null> {
    const [latest] = await this.listAnchors({ limit: 1 });
    return latest ?? null;
  }

  async listAnchors(options: ListAnchorsOptions = {}): Promise<Anchor[]> {
    const limit = anchorPageSize(options);
    if (options.before === '0') return [];
    const anchors: Anchor[] = [];
    try {
      const reading = this.client.readStream<{ type: 'AnchorRecorded'; data: AnchorData }>(
        this.stream,
        {
          direction: BACKWARDS,
          fromRevision: options.before !== undefined ? BigInt(options.before) - 1n : END,
          maxCount: limit,
        },
      );
      for await (const resolved of reading) {
        const event = resolved.event;
        if (!event) continue;
        anchors.push({
          id: event.revision.toString(),
          createdAt: event.data.createdAt,
          root: event.data.root,
          streamCount: event.data.streamCount,
          eventCount: BigInt(event.data.eventCount),
          heads: event.data.heads.map((head) => ({ ...head, revision: BigInt(head.revision) })),
        });
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return anchors;
  }
}
