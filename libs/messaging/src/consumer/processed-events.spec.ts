import { InMemoryDocumentStore } from '@pcp/documents';
import {
  DocumentProcessedEvents,
  InMemoryProcessedEvents,
  type ProcessedEvents,
} from './processed-events';

// Both stores answer alike: the embedded platform keeps its ids in memory, a service beside
// MongoDB read models keeps them as documents.
describe.each<[string, () => ProcessedEvents]>([
  ['in memory', () => new InMemoryProcessedEvents()],
  ['as documents', () => new DocumentProcessedEvents(new InMemoryDocumentStore())],
])('processed events %s', (_name, make) => {
  it('records an id once per consumer and knows it after', async () => {
    const processed = make();
    expect(await processed.has('pipeline', 'e1')).toBe(false);
    expect(await processed.record('pipeline', 'e1', 'handled', 'NeedRecorded', 5n)).toBe(true);
    expect(await processed.record('pipeline', 'e1', 'handled', 'NeedRecorded', 5n)).toBe(false);
    expect(await processed.has('pipeline', 'e1')).toBe(true);
    expect(await processed.has('tenders', 'e1')).toBe(false);
    expect(await processed.record('tenders', 'e1', 'dead-lettered', 'NeedRecorded', 5n)).toBe(true);
  });

  it("forgets a consumer's ids up to a position, and only those", async () => {
    const processed = make();
    for (const [id, position] of [
      ['e1', 1n],
      ['e2', 2n],
      ['e3', 3n],
    ] as const)
      await processed.record('pipeline', id, 'handled', 'NeedRecorded', position);
    await processed.record('pipeline', 'e0', 'handled', 'NeedRecorded');
    await processed.record('tenders', 'e1', 'handled', 'NeedRecorded', 1n);
    expect(await processed.forget('pipeline', 2n)).toBe(2);
    expect(await processed.has('pipeline', 'e1')).toBe(false);
    expect(await processed.has('pipeline', 'e2')).toBe(false);
    expect(await processed.has('pipeline', 'e3')).toBe(true);
    // An id recorded without its place in the log is never taken for one before it.
    expect(await processed.has('pipeline', 'e0')).toBe(true);
    expect(await processed.has('tenders', 'e1')).toBe(true);
    expect(await processed.forget('nobody', 10n)).toBe(0);
  });
});
