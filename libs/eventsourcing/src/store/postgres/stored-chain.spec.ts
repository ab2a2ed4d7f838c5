import { canonicalJson } from '../../integrity/canonical-json';
import { GENESIS_HASH } from '../../integrity/hash-chain';
import { type NewEvent, systemActor } from '../event-store';
import { chainEvents, prepareEventsWithJson } from '../new-events';
import { arrayMember, chainForStorage } from './stored-chain';

const tricky: unknown[] = [
  { b: 1, a: 2, nested: { z: [1, { y: 'x', x: 'y' }], ä: 'ü', A: null } },
  { 10: 'ten', 9: 'nine', a: { 2: 'b', 1: 'a', '01': 'c' } },
  { text: 'a string with {"1":2} and ,"3": inside', emoji: '🙂 \u2028 "quoted" \\ back' },
  [3, 2, { '': 'empty key', ' ': 'space' }],
  'plain',
  42.5,
  null,
  { big: 1e21, small: 1e-7, negative: -0 },
];

describe('chainForStorage', () => {
  const events: NewEvent[] = tricky.map((data, n) => ({
    type: `Type${n}`,
    data,
    actor: { userId: `u${n}`, org: n % 2 ? null : 'org-1', roles: ['b', 'a'] },
    correlationId: `c-${n}`,
    causationId: n % 3 ? null : `cause-${n}`,
    reason: n % 2 ? `why "${n}"` : null,
    schemaVersion: 1 + (n % 3),
  }));
  events.push({ type: 'System', data: {}, actor: systemActor('s'), correlationId: 'c' });
  // roles that are not all names: written the general way
  events.push({
    type: 'OddRoles',
    data: { a: 1 },
    actor: { userId: 'u', org: null, roles: ['r', 7, { b: 1, a: 2 }] as unknown as string[] },
    correlationId: 'c',
  });

  it('hashes, numbers and places events as chainEvents does', () => {
    const { events: prepared, json } = prepareEventsWithJson('stream-ü', events);
    for (const head of [
      { revision: -1n, hash: GENESIS_HASH },
      { revision: 41n, hash: 'ab'.repeat(32) },
    ]) {
      const at = '2026-11-22T10:00:00.123Z';
      const expected = chainEvents('stream-ü', prepared, head, at, (n) => 100n + BigInt(n));
      const chained = chainForStorage('stream-ü', prepared, head, at, 100n, json);
      expect(chained.envelopes).toEqual(expected);
      expect(chained.data).toEqual(expected.map((event) => canonicalJson(event.data)));
      expect(chained.actors).toEqual(expected.map((event) => canonicalJson(event.actor)));
      expect(chained.data).toEqual(json.map((written) => written.data));
    }
  });
});

describe('arrayMember', () => {
  it('quotes every text and escapes quotes and backslashes only', () => {
    expect(arrayMember('plain')).toBe('"plain"');
    expect(arrayMember('')).toBe('""');
    expect(arrayMember('NULL')).toBe('"NULL"');
    expect(arrayMember(' {a,b} ')).toBe('" {a,b} "');
    expect(arrayMember('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(arrayMember(null)).toBe('NULL');
  });
});
