import type { EventSearch, EventSearchFilter } from '../../integrity/event-search';
import type { EventEnvelope } from '../event-store';
import { COLUMNS, type EventRow, toEnvelope } from './postgres-event-store';
import { assertSchemaName } from './schema';
import type { SqlQueryable } from './sql-client';

/**
 * The audit's search done by PostgreSQL: every criterion is a WHERE clause served by the
 * events table's indexes (type, actor, organisation, occurrence time, stream), so a page
 * costs what it returns rather than a walk over the whole log.
 */
export class PostgresEventSearch implements EventSearch {
  constructor(
    private readonly client: SqlQueryable,
    private readonly schema = 'eventstore',
  ) {
    assertSchemaName(schema);
  }

  async search(filter: EventSearchFilter): Promise<EventEnvelope[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    // The visibility rule of readAll: a page never skips an event that commits later below it.
    const where = ['transaction_id < pg_snapshot_xmin(pg_current_snapshot())'];
    if (filter.after !== undefined)
      where.push(`global_position > ${param(filter.after.toString())}`);
    if (filter.type !== undefined) where.push(`type = ${param(filter.type)}`);
    if (filter.streamId !== undefined) where.push(`stream_id = ${param(filter.streamId)}`);
    if (filter.actor !== undefined) where.push(`actor->>'userId' = ${param(filter.actor)}`);
    if (filter.org !== undefined) where.push(`actor->>'org' = ${param(filter.org)}`);
    if (filter.from !== undefined)
      where.push(`occurred_at >= ${param(filter.from.toISOString())}::timestamptz`);
    if (filter.to !== undefined)
      where.push(`occurred_at <= ${param(filter.to.toISOString())}::timestamptz`);
    const rows = await this.client.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events WHERE ${where.join(' AND ')}
       ORDER BY global_position LIMIT ${param(filter.limit)}`,
      params,
    );
    return rows.map(toEnvelope);
  }
}
