import { frozenCopy } from './frozen-data';
import { RecentValues } from './recent-values';

/** An equal string that is a different object (a slice of a longer one, not a literal). */
const fresh = (text: string): string => `${text}!`.slice(0, -1);

describe('RecentValues', () => {
  it('hands back the first of equal strings and small composites', () => {
    const recent = new RecentValues();
    const actor = Object.freeze({
      userId: 'u-1',
      org: 'org-1',
      roles: Object.freeze(['procurer']),
    });
    expect(recent.string('needs-need-1')).toBe('needs-need-1');
    expect(recent.composite(actor)).toBe(actor);
    const again = Object.freeze({
      userId: 'u-1',
      org: 'org-1',
      roles: Object.freeze(['procurer']),
    });
    expect(recent.composite(again)).toBe(actor);
    expect(recent.composite(Object.freeze({ userId: 'u-2', org: 'org-1' }))).not.toBe(actor);
  });

  it('never takes values JSON would blur for one another', () => {
    const recent = new RecentValues();
    const blurred: [object, object][] = [
      [{ n: 0 }, { n: -0 }],
      [{ n: null }, { n: Number.NaN }],
      [{ n: null }, { n: Number.POSITIVE_INFINITY }],
      [{}, { n: undefined }],
      [[null], [undefined]],
      [{ at: '2026-01-01T00:00:00.000Z' }, { at: new Date('2026-01-01T00:00:00.000Z') }],
      [{ a: 1 }, { a: 1, [Symbol('s')]: 2 }],
    ];
    for (const [first, second] of blurred) {
      recent.composite(first);
      expect(recent.composite(second)).toBe(second);
    }
  });

  it('keeps large composites and long strings as they are', () => {
    const recent = new RecentValues();
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    recent.composite(nine);
    const other = { ...nine };
    expect(recent.composite(other)).toBe(other);
    const long = 'x'.repeat(300);
    recent.string(long);
    const equal = 'x'.repeat(300);
    expect(recent.string(equal)).toBe(equal);
  });

  it('makes frozen copies and frozen documents share equal parts, never exotic ones', () => {
    const recent = new RecentValues();
    const first = frozenCopy(
      { actor: { userId: 'u-1', roles: ['procurer'] }, streamId: fresh('s-1') },
      recent,
    ).value;
    const second = frozenCopy(
      { actor: { userId: 'u-1', roles: ['procurer'] }, streamId: fresh('s-1') },
      recent,
    ).value;
    // small and equal throughout: the whole document is one
    expect(second).toBe(first);
    const third = frozenCopy(
      { actor: { userId: 'u-1', roles: ['procurer'] }, streamId: 's-2' },
      recent,
    ).value;
    expect(third).not.toBe(first);
    expect(third.actor).toBe(first.actor);
    expect(Object.isFrozen(third.actor.roles)).toBe(true);

    const read = frozenCopy(
      JSON.parse('{"actor":{"userId":"u-1","roles":["procurer"]},"ids":[]}') as object,
      recent,
    );
    expect((read.value as { actor: unknown }).actor).toBe(first.actor);
    expect(Object.isFrozen(read.value)).toBe(true);

    const at = new Date(0);
    const dated = frozenCopy({ when: { at } }, recent);
    const datedAgain = frozenCopy({ when: { at } }, recent);
    expect(dated.exotic).toBe(true);
    expect(datedAgain.value.when).not.toBe(dated.value.when);
  });

  it('keeps an own __proto__ field a field when it replaces one of its parts', () => {
    const recent = new RecentValues();
    const first = frozenCopy({ tags: ['a'] }, recent).value;
    const data = JSON.parse('{"__proto__":{"tags":["a"]}}') as Record<string, unknown>;
    const { value } = frozenCopy(data, recent);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value as object).toEqual({
      tags: ['a'],
    });
    expect(first.tags).toEqual(['a']);
  });
});
