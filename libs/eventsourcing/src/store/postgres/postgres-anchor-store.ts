import {
  anchorPageSize,
  type Anchor,
  type AnchorStore,
  type ListAnchorsOptions,
  type NewAnchor,
} from '../../integrity/anchors';
import { stringifyWithBigInts } from '../envelope-json';
import { assertSchemaName } from './schema';
import type { SqlClient } from './sql-client';

interface AnchorRow {
  [column: string]: unknown;
  id: string | bigint;
  created_at: Date | string;
  root: string;
  stream_count: number;
  event_count: string | bigint;
  heads: { streamId: string; revision: string; hash: string }[];
}

function toAnchor(row: AnchorRow): Anchor {
  return {
    id: String(row.id),
    createdAt: new Date(row.created_at).toISOString(),
    root: row.root,
    streamCount: Number(row.stream_count),
    eventCount: BigInt(row.event_count),
    heads: row.heads.map((head) => ({
      streamId: head.streamId,
      revision: BigInt(head.revision),
      hash: head.hash,
    })),
  };
}

/** Anchors in the `anchors` table beside the events (created by the store's migrations). */
export class PostgresAnchorStore implements AnchorStore {
  constructor(
    private readonly client: SqlClient,
    private readonly schema = 'eventstore',
  ) {
    assertSchemaName(schema);
  }

  async recordAnchor(anchor: NewAnchor): Promise<Anchor> {
    const [row] = await this.client.query<AnchorRow>(
      `INSERT INTO ${this.schema}.anchors (root, stream_count, event_count, heads) VALUES ($1, $2, $3, $4::jsonb)
       RETURNING id, created_at, root, stream_count, event_count, heads`,
      [
        anchor.root,
        anchor.streamCount,
        anchor.eventCount.toString(),
        stringifyWithBigInts(anchor.heads),
      ],
    );
    return toAnchor(row);
  }

  async latestAnchor(): Promise<Anchor | null> {
    const [row] = await this.client.query<AnchorRow>(
      `SELECT id, created_at, root, stream_count, event_count, heads FROM ${this.schema}.anchors ORDER BY id DESC LIMIT 1`,
    );
    return row ? toAnchor(row) : null;
  }

  async listAnchors(options: ListAnchorsOptions = {}): Promise<Anchor[]> {
    const limit = anchorPageSize(options);
    const params: unknown[] = [limit];
    let where = '';
    if (options.before !== undefined) {
      params.push(options.before);
      where = 'WHERE id < $2';
    }
    const rows = await this.client.query<AnchorRow>(
      `SELECT id, created_at, root, stream_count, event_count, heads FROM ${this.schema}.anchors ${where}
       ORDER BY id DESC LIMIT $1`,
      params,
    );
    return rows.map(toAnchor);
  }
}
