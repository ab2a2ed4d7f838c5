import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, type, release } from 'node:os';
import { join } from 'node:path';

/**
 * What a scenario is held to: a ratio against its baseline (`min-ratio`), or an absolute
 * ceiling on the figure itself (`max`, e.g. a latency or a memory size).
 */
export type Goal = { kind: 'min-ratio'; value: number } | { kind: 'max'; value: number };

export interface Figure {
  name: string;
  metric: string;
  value: number;
  unit: string;
  /** Measured in the same run on the same engines; null when the issue names none. */
  baseline: { name: string; value: number } | null;
  /** Ours divided by the baseline (higher is better); null without a baseline or for a ceiling. */
  ratio: number | null;
  /** Human-readable goal, e.g. ">= 2.0x emmett" or "< 20 ms"; null when none is set. */
  goal: string | null;
  /** Whether the goal is met; null when there is no goal. */
  met: boolean | null;
  /** Why the scenario produced no figure. */
  error?: string;
}

export interface BenchResults {
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    freeMemoryGiB: number;
    os: string;
    node: string;
    postgres: string | null;
  };
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  sizes: Record<string, number | string>;
  scenarios: Figure[];
}

const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** A figure with its ratio and goal verdict worked out. */
export function figure(input: {
  name: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number } | null;
  goal?: Goal | null;
  /** False for times and sizes: their baseline is shown, but no ratio is taken. */
  higherIsBetter?: boolean;
}): Figure {
  const baseline = input.baseline ?? null;
  const goal = input.goal ?? null;
  const ratio =
    baseline && input.higherIsBetter !== false && baseline.value > 0
      ? input.value / baseline.value
      : null;
  let met: boolean | null = null;
  let goalText: string | null = null;
  if (goal?.kind === 'min-ratio') {
    goalText = `>= ${goal.value.toFixed(2)}x ${baseline?.name ?? ''}`.trim();
    met = ratio !== null && ratio >= goal.value;
  } else if (goal?.kind === 'max') {
    goalText = `< ${goal.value} ${input.unit}`;
    met = Number.isFinite(input.value) && input.value < goal.value;
  }
  return {
    name: input.name,
    metric: input.metric,
    value: round(input.value),
    unit: input.unit,
    baseline: baseline ? { name: baseline.name, value: round(baseline.value) } : null,
    ratio: ratio === null ? null : round(ratio),
    goal: goalText,
    met,
  };
}

export function machine(postgres: string | null): BenchResults['machine'] {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    os: `${type()} ${release()}`,
    node: process.version,
    postgres,
  };
}

const fmt = (value: number): string =>
  !Number.isFinite(value)
    ? '-'
    : Math.abs(value) >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : String(round(value, Math.abs(value) >= 10 ? 1 : 3));

/** The row of a scenario that failed: no figure, the error instead. */
export function failed(name: string, error: unknown): Figure {
  return {
    name,
    metric: 'failed',
    value: Number.NaN,
    unit: '-',
    baseline: null,
    ratio: null,
    goal: null,
    met: false,
    error: error instanceof Error ? error.message : String(error),
  };
}

/** The Markdown table of the README and of bench/results/latest.md. */
export function markdownTable(figures: Figure[]): string {
  const lines = [
    '| scenario | metric | value | unit | baseline | ratio | goal | met? |',
    '| --- | --- | ---: | --- | --- | ---: | --- | --- |',
  ];
  for (const f of figures) {
    const baseline = f.baseline ? `${f.baseline.name} ${fmt(f.baseline.value)}` : '-';
    const ratio = f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`;
    const met = f.error
      ? `**failed**: ${f.error.replace(/\|/g, '/').slice(0, 120)}`
      : f.met === null
        ? '-'
        : f.met
          ? 'yes'
          : '**no**';
    lines.push(
      `| ${f.name} | ${f.metric} | ${fmt(f.value)} | ${f.unit} | ${baseline} | ${ratio} | ${f.goal ?? '-'} | ${met} |`,
    );
  }
  return lines.join('\n');
}

export function writeResults(dir: string, results: BenchResults): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine;
  writeFileSync(
    md,
    [
      `# Benchmark results${results.quick ? ' (quick mode: smoke sizes, not comparable)' : ''}`,
      '',
      `${results.finishedAt}: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.postgres ?? 'PostgreSQL ?'}.`,
      `Sizes: ${Object.entries(results.sizes)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}.`,
      '',
      markdownTable(results.scenarios),
      '',
    ].join('\n'),
  );
  return { json, md };
}
