import { KnownHeadAttempts, KnownHeads } from './known-heads';

const head = (revision: bigint) => ({ revision, hash: `h${revision}`, recordedAt: 'x' });

describe('KnownHeads', () => {
  it('keeps the last streams touched, up to its limit, and their latest heads', () => {
    const heads = new KnownHeads(2);
    heads.set('a', head(0n));
    heads.set('b', head(0n));
    heads.set('a', head(1n));
    heads.set('c', head(0n));
    expect(heads.get('a')).toEqual(head(1n));
    expect(heads.get('c')).toEqual(head(0n));
    heads.set('d', head(0n));
    heads.set('e', head(0n));
    expect(heads.get('b')).toBeUndefined();
    expect(heads.get('a')).toBeUndefined();
    expect(heads.get('d')).toEqual(head(0n));
    expect(heads.get('e')).toEqual(head(0n));
  });

  it('forgets a stream whichever generation holds it', () => {
    const heads = new KnownHeads(2);
    heads.set('a', head(0n));
    heads.set('b', head(0n));
    heads.set('c', head(0n));
    heads.forget('a');
    heads.forget('c');
    expect(heads.get('a')).toBeUndefined();
    expect(heads.get('c')).toBeUndefined();
    expect(heads.get('b')).toEqual(head(0n));
  });

  it('keeps at most twice its limit', () => {
    const heads = new KnownHeads(3);
    for (let i = 0; i < 10; i++) heads.set(`s${i}`, head(BigInt(i)));
    const kept = Array.from({ length: 10 }, (_, i) => heads.get(`s${i}`)).filter(Boolean);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThanOrEqual(6);
    for (let i = 7; i < 10; i++) expect(heads.get(`s${i}`)).toEqual(head(BigInt(i)));
  });
});

describe('KnownHeadAttempts', () => {
  it('stops trying for a while when most attempts of a window were refused', () => {
    let time = 0;
    const attempts = new KnownHeadAttempts(4, 1_000, () => time);
    for (const written of [false, false, true, false]) attempts.record(written);
    expect(attempts.worthTrying()).toBe(false);
    time = 999;
    expect(attempts.worthTrying()).toBe(false);
    time = 1_000;
    expect(attempts.worthTrying()).toBe(true);
  });

  it('keeps trying when half or fewer were refused', () => {
    const attempts = new KnownHeadAttempts(4, 1_000, () => 0);
    for (const written of [false, true, false, true, false, true, true, false])
      attempts.record(written);
    expect(attempts.worthTrying()).toBe(true);
  });
});
