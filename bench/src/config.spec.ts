import { loadConfig, SCENARIOS } from './config';
import { figure, markdownTable } from './results';

describe('bench sizes', () => {
  it('defaults to the sizes of issue 9', () => {
    const config = loadConfig([], {}, '/repo');
    expect(config.replayEvents).toBe(1_000_000);
    expect(config.startupEvents).toBe(1_000_000);
    expect(config.timelineEvents).toBe(10_000);
    expect(config.writers).toBe(16);
    expect(config.existingStreams).toBe(1_000);
    expect(config.batchSize).toBe(100);
    expect(config.rounds).toBe(3);
    expect(config.resultsDir).toBe('/repo/bench/results');
  });

  it('shrinks everything in quick mode and scales counts, not writers', () => {
    const quick = loadConfig(['--quick'], {}, '/repo');
    expect(quick.quick).toBe(true);
    expect(quick.replayEvents).toBeLessThan(10_000);
    expect(quick.rounds).toBe(1);
    const scaled = loadConfig([], { BENCH_SCALE: '0.5' }, '/repo');
    expect(scaled.replayEvents).toBe(500_000);
    expect(scaled.writers).toBe(16);
  });

  it('takes per-scenario counts from the environment and refuses nonsense', () => {
    const config = loadConfig(
      [],
      { BENCH_REPLAY_EVENTS: '2_000', BENCH_ONLY: 'relay-kafka' },
      '/repo',
    );
    expect(config.replayEvents).toBe(2000);
    expect([...config.only]).toEqual(['relay-kafka']);
    expect(() => loadConfig([], { BENCH_REPLAY_EVENTS: 'lots' })).toThrow('BENCH_REPLAY_EVENTS');
    expect(loadConfig([], {}).httpPeakConnections).toEqual([16, 64]);
    expect(loadConfig([], { BENCH_HTTP_PEAK_CONNECTIONS: '8, 32' }).httpPeakConnections).toEqual([
      8, 32,
    ]);
    expect(() => loadConfig([], { BENCH_HTTP_PEAK_CONNECTIONS: '16,many' })).toThrow(
      'BENCH_HTTP_PEAK_CONNECTIONS',
    );
    expect(() => loadConfig([], { BENCH_ONLY: 'append-everything' })).toThrow('unknown scenario');
    expect(() => loadConfig(['--fast'])).toThrow('--fast');
  });

  it('names the twelve scenarios of the issue', () => {
    expect(SCENARIOS).toHaveLength(12);
  });
});

describe('figures', () => {
  it('takes the ratio as ours over the baseline and checks a ratio goal', () => {
    const f = figure({
      name: 'append-batch',
      metric: 'throughput',
      value: 700,
      unit: 'events/s',
      baseline: { name: 'raw', value: 1000 },
      goal: { kind: 'min-ratio', value: 0.7 },
    });
    expect(f.ratio).toBe(0.7);
    expect(f.met).toBe(true);
    expect(f.goal).toBe('>= 0.70x raw');
  });

  it('checks a ceiling on the figure itself and takes no ratio of a latency', () => {
    const f = figure({
      name: 'http-command-embedded',
      metric: 'p99',
      value: 25,
      unit: 'ms',
      baseline: { name: 'bare', value: 5 },
      goal: { kind: 'max', value: 20 },
      higherIsBetter: false,
    });
    expect(f.ratio).toBeNull();
    expect(f.met).toBe(false);
    expect(markdownTable([f])).toContain(
      '| http-command-embedded | p99 | 25 | ms | bare 5 | - | < 20 ms | **no** |',
    );
  });
});
