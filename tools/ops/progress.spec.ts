import { formatDuration, formatRate, Progress, renderProgress } from './progress';

describe('renderProgress', () => {
  it('shows the bar, count, percent, rate and time left', () => {
    expect(
      renderProgress({ label: 'verify', unit: 'streams', done: 50, total: 200, elapsedMs: 10_000 }),
    ).toBe('verify [######..................] 50/200 25% 5.00 streams/s ETA 0:30');
  });

  it('ends with a full bar and no time left', () => {
    expect(
      renderProgress({
        label: 'rebuild',
        unit: 'events',
        done: 1200,
        total: 1200,
        elapsedMs: 4000,
      }),
    ).toBe('rebuild [########################] 1200/1200 100% 300 events/s ETA 0:00');
  });

  it('cannot tell the time left before anything is done, and shows elapsed time without a total', () => {
    expect(renderProgress({ label: 'x', unit: 'tenders', done: 0, total: 10, elapsedMs: 0 })).toBe(
      'x [........................] 0/10 0% 0 tenders/s ETA --:--',
    );
    expect(
      renderProgress({ label: 'export', unit: 'tenders', done: 30, total: null, elapsedMs: 2000 }),
    ).toBe('export 30 tenders 15.0 tenders/s 0:02');
  });

  it('never draws past the end when the count overtakes the total', () => {
    expect(
      renderProgress({ label: 'x', unit: 'events', done: 12, total: 10, elapsedMs: 1000 }),
    ).toContain('[########################] 12/10 100%');
  });
});

describe('formatDuration and formatRate', () => {
  it('writes minutes and hours', () => {
    expect(formatDuration(59_400)).toBe('0:59');
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--');
  });

  it('keeps a few significant digits', () => {
    expect(formatRate(0.123)).toBe('0.12');
    expect(formatRate(42.42)).toBe('42.4');
    expect(formatRate(4242.4)).toBe('4242');
    expect(formatRate(Number.NaN)).toBe('0');
  });
});

describe('Progress', () => {
  const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: { isTTY, write: (text: string) => written.push(text) } };
  };

  it('redraws in place on a terminal, at most once per interval, and ends the line', () => {
    let clock = 0;
    const { written, out } = sink(true);
    const progress = new Progress({
      label: 'verify',
      unit: 'streams',
      total: 4,
      out,
      now: () => clock,
    });
    progress.tick(); // first draw
    clock = 50;
    progress.tick(); // too soon
    clock = 200;
    progress.tick();
    clock = 400;
    progress.tick();
    progress.finish();
    expect(written).toHaveLength(4);
    expect(written.every((w) => w.startsWith('\r\x1b[2K'))).toBe(true);
    expect(written[1]).toContain('3/4 75%');
    expect(written[3]).toBe(
      '\r\x1b[2Kverify [########################] 4/4 100% 10.0 streams/s ETA 0:00\n',
    );
  });

  it('writes whole lines, seldom, when stderr is not a terminal', () => {
    let clock = 0;
    const { written, out } = sink(false);
    const progress = new Progress({ label: 'export', unit: 'tenders', out, now: () => clock });
    for (let i = 0; i < 100; i++) {
      clock += 100;
      progress.tick();
    }
    progress.setTotal(100);
    progress.finish();
    // the first tick, one every 5 s over 10 s, and the final line
    expect(written).toHaveLength(3);
    expect(written.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(written[2]).toBe(
      'export [########################] 100/100 100% 10.0 tenders/s ETA 0:00\n',
    );
  });
});
