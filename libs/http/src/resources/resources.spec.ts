import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { EventEnvelope } from '@pcp/eventsourcing';
import { RequestValidationError } from '../errors/validation';
import { parseAsOf } from './as-of';
import { toHistoryItem } from './history';
import { ListQueryDto } from './list-query';

describe('parseAsOf', () => {
  it('reads an instant with an offset', () => {
    expect(parseAsOf('2026-03-01T12:00:00+01:00')?.toISOString()).toBe('2026-03-01T11:00:00.000Z');
    expect(parseAsOf('2026-03-01T12:00:00.123Z')?.toISOString()).toBe('2026-03-01T12:00:00.123Z');
    expect(parseAsOf(undefined)).toBeUndefined();
  });

  it('refuses anything else with a 400 naming asOf', () => {
    for (const bad of ['yesterday', '2026-03-01', '2026-13-01T00:00:00Z', '2026-03-01T12:00:00']) {
      let error: unknown;
      try {
        parseAsOf(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).fields[0].field).toBe('asOf');
    }
  });
});

describe('toHistoryItem', () => {
  const envelope: EventEnvelope = {
    id: '0b6f5a40-5e0e-4bd8-9a4f-4b0c6d1c1e11',
    type: 'NeedValidated',
    schemaVersion: 1,
    streamId: 'needs-need-1',
    revision: 3n,
    globalPosition: 12n,
    occurredAt: '2026-01-01T00:00:00.000Z',
    recordedAt: '2026-01-01T00:00:00.010Z',
    actor: { userId: 'u1', org: 'sergas', roles: ['procurer'] },
    reason: 'ok',
    correlationId: 'c1',
    causationId: null,
    data: { secret: 'x', open: 'y' },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  };

  it('shows revision as a number and keeps the integrity fields', () => {
    expect(toHistoryItem(envelope)).toMatchObject({
      revision: 3,
      hash: 'b'.repeat(64),
      actor: { org: 'sergas' },
    });
  });

  it('lets the caller redact the payload', () => {
    expect(toHistoryItem(envelope, () => ({ sealed: true })).data).toEqual({ sealed: true });
  });
});

describe('ListQueryDto', () => {
  const errorsOf = (query: object) =>
    validateSync(plainToInstance(ListQueryDto, query)).map((e) => e.property);

  it('takes limit from the query string as a number within 1-500', () => {
    expect(plainToInstance(ListQueryDto, { limit: '20' }).limit).toBe(20);
    expect(errorsOf({ limit: '20' })).toEqual([]);
    expect(errorsOf({ limit: '0' })).toEqual(['limit']);
    expect(errorsOf({ limit: '501' })).toEqual(['limit']);
    expect(errorsOf({ limit: 'ten' })).toEqual(['limit']);
  });
});
