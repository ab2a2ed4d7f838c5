/**
 * Runs the writes to one document one after another within this process; writes to other
 * documents go on in parallel.
 *
 * MongoDB applies a filtered findAndModify atomically, so the `_version` filter alone makes
 * concurrent writers with the same expected version exclude each other. FerretDB 1.x (the
 * MongoDB-protocol server of the tests) reads the matching document and then writes it by
 * `_id` in a second statement: two writers of one process could both match version n and both
 * report version n + 1. Queuing a process's writes per document closes that gap there; across
 * processes only a MongoDB server gives the guarantee (see libs/documents/README.md).
 */
export class DocumentWriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<R>(id: string, write: () => Promise<R>): Promise<R> {
    return this.runAll([id], write);
  }

  /** One write to several documents: after the writes queued to any of them, before the next. */
  runAll<R>(ids: readonly string[], write: () => Promise<R>): Promise<R> {
    const before: Promise<unknown>[] = [];
    for (const id of ids) {
      const tail = this.tails.get(id);
      if (tail) before.push(tail);
    }
    // the tails never reject (see below)
    const result =
      before.length === 0
        ? write()
        : (before.length === 1 ? before[0] : Promise.all(before)).then(write);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    for (const id of ids) this.tails.set(id, tail);
    // forget each document once its last queued write is done, so the map stays small
    void tail.then(() => {
      for (const id of ids) if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return result;
  }

  /** Documents with a write in flight: for tests. */
  get size(): number {
    return this.tails.size;
  }
}
