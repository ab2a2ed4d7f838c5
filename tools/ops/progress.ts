/**
 * Progress of long operations on stderr: a bar with the count, the rate and the time left.
 * On a terminal the line is redrawn in place; elsewhere (a log file, CI) a line is written
 * now and then, so logs stay readable.
 */

export interface ProgressState {
  label: string;
  done: number;
  /** null while the total is unknown. */
  total: number | null;
  elapsedMs: number;
  /** What is counted: events, streams, tenders. */
  unit: string;
}

const BAR_WIDTH = 24;

/** `h:mm:ss` or `m:ss`; `--:--` when it cannot be known. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  if (perSecond >= 100) return Math.round(perSecond).toString();
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

/** One line: `label [#####.....] 50/100 50% 12.5 events/s ETA 0:04`. */
export function renderProgress(state: ProgressState): string {
  const { label, done, total, elapsedMs, unit } = state;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const rateText = `${formatRate(rate)} ${unit}/s`;
  if (total === null) return `${label} ${done} ${unit} ${rateText} ${formatDuration(elapsedMs)}`;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const left = Math.max(0, total - done);
  const eta = left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : Number.NaN;
  const percent = `${Math.floor(fraction * 100)}%`;
  return `${label} ${bar} ${done}/${total} ${percent} ${rateText} ETA ${formatDuration(eta)}`;
}

export interface ProgressOptions {
  label: string;
  unit: string;
  total?: number | null;
  /** Where to write; default process.stderr. */
  out?: { write(text: string): unknown; isTTY?: boolean };
  /** Clock in ms; default Date.now. */
  now?: () => number;
  /** Least time between two redraws; default 100 ms on a terminal, 5 s elsewhere. */
  intervalMs?: number;
}

export class Progress {
  private done = 0;
  private total: number | null;
  private readonly started: number;
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private readonly tty: boolean;
  private readonly out: NonNullable<ProgressOptions['out']>;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(private readonly options: ProgressOptions) {
    this.out = options.out ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.tty = this.out.isTTY === true;
    this.intervalMs = options.intervalMs ?? (this.tty ? 100 : 5000);
    this.total = options.total ?? null;
    this.started = this.now();
  }

  setTotal(total: number): void {
    this.total = total;
  }

  /** Moves the count by `by` (default 1). */
  tick(by = 1): void {
    this.update(this.done + by);
  }

  /** Sets the count. */
  update(done: number): void {
    this.done = done;
    if (this.now() - this.lastDrawn >= this.intervalMs) this.draw(false);
  }

  /** Draws the final line (and ends it). */
  finish(): void {
    this.draw(true);
  }

  line(): string {
    return renderProgress({
      label: this.options.label,
      unit: this.options.unit,
      done: this.done,
      total: this.total,
      elapsedMs: this.now() - this.started,
    });
  }

  private draw(final: boolean): void {
    this.lastDrawn = this.now();
    const text = this.line();
    if (this.tty) this.out.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else this.out.write(`${text}\n`);
  }
}
