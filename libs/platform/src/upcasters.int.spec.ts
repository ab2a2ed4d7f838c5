import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { Projection } from '@pcp/documents';
import { NO_STREAM, UpcastingEventStore, verifyEventStore } from '@pcp/eventsourcing';
import type { BoundedContext } from './bounded-context';
import { createTestApp, type TestApp } from './testing/test-app';

// A need event whose data changed shape: v1 had `regionCode`, v2 has `region`.
const toV2 = (data: unknown) => {
  const { regionCode, ...rest } = data as { regionCode: string };
  return { ...rest, region: regionCode };
};

const regions: Projection = {
  name: 'test-upcast-regions',
  collections: ['test_upcast_regions'],
  eventTypes: ['NeedRegionSet'],
  async apply(event, view) {
    const data = event.data as { needId: string; region?: string };
    // v1 has no `region`: null here would mean the projection saw the stored shape.
    await view.update('test_upcast_regions', data.needId, () => ({ region: data.region ?? null }));
  },
};

@Module({})
class EmptyModule {}

const withUpcaster: BoundedContext = {
  name: 'needs',
  module: EmptyModule,
  projections: [regions],
  upcasters: [{ type: 'NeedRegionSet', fromVersion: 1, upcast: toV2 }],
};

describe("a context's upcasters, wired into the service's store", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ contexts: [withUpcaster] });
  });
  afterAll(() => app.close());

  it('give every read the current shape while the stored event and its hash stay as written', async () => {
    const needId = randomUUID();
    const streamId = `needs-need-${needId}`;
    await app.store.append(
      streamId,
      [
        {
          type: 'NeedRegionSet',
          schemaVersion: 1,
          data: { needId, regionCode: 'ES11' },
          actor: { userId: 'u-ana', org: 'org-sergas', roles: ['procurer'] },
          correlationId: randomUUID(),
        },
      ],
      NO_STREAM,
    );
    expect(app.store).toBeInstanceOf(UpcastingEventStore);
    const stored = (app.store as UpcastingEventStore).stored;

    const [read] = await app.store.readStream(streamId);
    expect(read).toMatchObject({ schemaVersion: 2, data: { needId, region: 'ES11' } });
    const [asStored] = await stored.readStream(streamId);
    expect(asStored).toMatchObject({ schemaVersion: 1, data: { needId, regionCode: 'ES11' } });
    const all = await app.store.readAll(0n, 1000);
    expect(all.find((e) => e.streamId === streamId)?.data).toEqual({ needId, region: 'ES11' });

    // The projection, fed by the runtime's subscription, saw the current shape.
    await app.settle();
    const doc = await app.documents.collection('test_upcast_regions').get(needId);
    expect(doc?.data).toEqual({ region: 'ES11' });

    // Integrity is checked on what is stored.
    const report = await verifyEventStore(app.store);
    expect(report.ok).toBe(true);
  });
});
