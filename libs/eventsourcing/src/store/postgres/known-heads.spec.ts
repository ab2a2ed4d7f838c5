import { KnownHeadAttempts, KnownHeads } from './known-heads';

const head = (revision: bigint) => ({ revision, hash: `h${revision}`, recordedAt: 'x' });

describe('KnownHeads', () => {
  it('keeps the most recently touched streams up to its limit', () => {
    const heads = new KnownHeads(2);
    heads.set('a', head(0n));
    heads.set('b', head(0n));
    heads.set('a', head(1n));
    heads.set('c', head(0n));
    expect(heads.get('b')).toBeUndefined();
    expect(heads.get('a')).toEqual(head(1n));
    expect(heads.get('c')).toEqual(head(0n));
    heads.forget('a');
    expect(heads.get('a')).toBeUndefined();
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
