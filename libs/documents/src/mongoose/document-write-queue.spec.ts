import { DocumentWriteQueue } from './document-write-queue';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('DocumentWriteQueue', () => {
  it('runs the writes to one document one after another, in the order they came', async () => {
    const queue = new DocumentWriteQueue();
    const log: string[] = [];
    const first = gate();
    const a = queue.run('t-1', async () => {
      log.push('a starts');
      await first.opened;
      log.push('a ends');
      return 'a';
    });
    const b = queue.run('t-1', async () => {
      log.push('b starts');
      return 'b';
    });
    await tick();
    expect(log).toEqual(['a starts']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts']);
  });

  it('lets writes to other documents go on meanwhile', async () => {
    const queue = new DocumentWriteQueue();
    const held = gate();
    const slow = queue.run('t-1', () => held.opened.then(() => 'slow'));
    expect(await queue.run('t-2', async () => 'other')).toBe('other');
    held.open();
    expect(await slow).toBe('slow');
  });

  it('goes on after a failed write, and hands the failure to its caller only', async () => {
    const queue = new DocumentWriteQueue();
    const failed = queue.run('t-1', async () => {
      throw new Error('server went away');
    });
    const next = queue.run('t-1', async () => 'written');
    await expect(failed).rejects.toThrow('server went away');
    expect(await next).toBe('written');
  });

  it('forgets a document once its queued writes are done', async () => {
    const queue = new DocumentWriteQueue();
    await Promise.all([queue.run('t-1', async () => 1), queue.run('t-2', async () => 2)]);
    await tick();
    expect(queue.size).toBe(0);
  });

  it('runs a write to several documents after the writes queued to any of them, and before the next', async () => {
    const queue = new DocumentWriteQueue();
    const log: string[] = [];
    const held = gate();
    const a = queue.run('t-2', async () => {
      await held.opened;
      log.push('a on t-2');
    });
    const both = queue.runAll(['t-1', 't-2'], async () => {
      log.push('both');
    });
    const after = queue.run('t-1', async () => {
      log.push('after on t-1');
    });
    await tick();
    expect(log).toEqual([]);
    held.open();
    await Promise.all([a, both, after]);
    expect(log).toEqual(['a on t-2', 'both', 'after on t-1']);
    expect(queue.size).toBe(0);
  });
});
