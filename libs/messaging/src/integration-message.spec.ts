import { BidSubmittedEvent, HEADER, TenderPublishedEvent } from '@pcp/contracts';
import {
  MalformedMessageError,
  fromRecord,
  integrationMessageOf,
  toRecord,
} from './integration-message';
import { storedEvent } from './test-support/envelopes';

describe('integration message <-> Kafka record (CloudEvents binary mode)', () => {
  const envelope = storedEvent('TenderPublished', TenderPublishedEvent.example, {
    causationId: 'cause-1',
    revision: 7n,
    globalPosition: 12345678901234567890n,
  });
  const message = integrationMessageOf(
    envelope,
    TenderPublishedEvent,
    TenderPublishedEvent.example,
  );
  const record = toRecord(message, 'pcp.tenders.events');

  it('keys by aggregate id, carries JSON data and the CloudEvents attributes in headers', () => {
    expect(record.key).toBe('tender-91b0');
    expect(JSON.parse(record.value)).toEqual(TenderPublishedEvent.example);
    expect(record.headers).toEqual({
      ce_id: envelope.id,
      ce_type: 'TenderPublished',
      ce_source: '/pcp/tenders',
      ce_specversion: '1.0',
      ce_time: envelope.occurredAt,
      ce_subject: envelope.streamId,
      ce_dataschema: 'urn:pcp:tenders:TenderPublished:v1',
      'content-type': 'application/json',
      correlationId: envelope.correlationId,
      causationId: 'cause-1',
      streamRevision: '7',
      globalPosition: '12345678901234567890',
      actor: JSON.stringify(envelope.actor),
      eventHash: envelope.hash,
    });
  });

  it('decodes back to the same message, without losing bigint precision', () => {
    const decoded = fromRecord({ ...record, partition: 2, offset: '9' });
    expect(decoded).toEqual(message);
    expect(decoded.globalPosition).toBe(12345678901234567890n);
  });

  it('withholds the actor of a sealed bid', () => {
    const bid = storedEvent('BidSubmitted', BidSubmittedEvent.example, {
      actor: { userId: 'user-bidder', org: 'org-bidder', roles: ['supplier'] },
    });
    const r = toRecord(
      integrationMessageOf(bid, BidSubmittedEvent, BidSubmittedEvent.example),
      't',
    );
    expect(r.headers[HEADER.actor]).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain('org-bidder');
    expect(fromRecord({ ...r, partition: 0, offset: '0' }).actor).toBeNull();
  });

  it.each([
    [
      'a missing ce_id',
      { headers: { ...record.headers, ce_id: undefined as unknown as string } },
      /ce_id/,
    ],
    [
      'another spec version',
      { headers: { ...record.headers, ce_specversion: '0.3' } },
      /spec version/,
    ],
    ['a foreign source', { headers: { ...record.headers, ce_source: 'https://x' } }, /source/],
    ['a non-decimal revision', { headers: { ...record.headers, streamRevision: '-1' } }, /decimal/],
    ['a value that is not JSON', { value: '{oops' }, /not JSON/],
    ['no value', { value: null }, /Empty value/],
    [
      'a non-JSON content type',
      { headers: { ...record.headers, 'content-type': 'text/plain' } },
      /content type/,
    ],
  ])('refuses %s', (_, change, pattern) => {
    const broken = { ...record, partition: 0, offset: '0', ...change };
    expect(() => fromRecord(broken)).toThrow(MalformedMessageError);
    expect(() => fromRecord(broken)).toThrow(pattern);
  });
});
