import { EventStoreDBClient, NO_STREAM, jsonEvent, type JSONType } from '@eventstore/db-client';
import { describeEventStoreDb, uniqueName } from './engines';

describeEventStoreDb('EventStoreDB engine', (url) => {
  let client: EventStoreDBClient;

  beforeAll(() => {
    client = EventStoreDBClient.connectionString(url);
  });

  afterAll(async () => {
    await client?.dispose();
  });

  it('appends to a new stream and reads the events back in order', async () => {
    const stream = uniqueName('need');
    const events = [
      { type: 'NeedIdentified', data: { needId: stream, title: 'Accessible ticketing' } },
      { type: 'NeedValidated', data: { needId: stream, by: 'buyer-1' } },
    ];
    const result = await client.appendToStream(
      stream,
      events.map((e) => jsonEvent({ type: e.type, data: e.data as JSONType })),
      { expectedRevision: NO_STREAM },
    );
    expect(result.success).toBe(true);
    expect(result.nextExpectedRevision).toBe(1n);

    const read: { type: string; data: unknown; revision: bigint }[] = [];
    for await (const resolved of client.readStream(stream)) {
      if (resolved.event)
        read.push({
          type: resolved.event.type,
          data: resolved.event.data,
          revision: resolved.event.revision,
        });
    }
    expect(read).toEqual(events.map((e, i) => ({ ...e, revision: BigInt(i) })));

    // Optimistic concurrency: appending as if the stream were new is refused.
    await expect(
      client.appendToStream(stream, jsonEvent({ type: 'NeedIdentified', data: {} }), {
        expectedRevision: NO_STREAM,
      }),
    ).rejects.toThrow(/WrongExpectedVersion|Expected/i);
  });
});
