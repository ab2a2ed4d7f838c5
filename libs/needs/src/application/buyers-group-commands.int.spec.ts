import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore, type CommandMetadata, type EventStore } from '@pcp/eventsourcing';
import { BuyersGroupCommands } from './buyers-group-commands';
import { NeedCommands } from './need-commands';
import { BUYERS_GROUP_STREAM_PREFIX, needStream } from './streams';

// The group's own append fails after its needs were claimed (the store drops the connection
// at that moment): the claims must be given back, so that the needs are free again.
describe('forming and joining a buyers group when its last append fails', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcp-buyers-groups-'));
  let store: PostgresEventStore;
  let failGroupAppends = false;
  let groups: BuyersGroupCommands;
  let needs: NeedCommands;

  const meta = (org: string): CommandMetadata => ({
    actor: { userId: `u-${org}`, org, roles: ['procurer'] },
    correlationId: randomUUID(),
  });

  beforeAll(async () => {
    store = await PostgresEventStore.embedded(dataDir);
    // The real store, with one fault: appends to group streams fail while the switch is on.
    const faulty: EventStore = {
      append: (streamId, events, expected) =>
        failGroupAppends && streamId.startsWith(BUYERS_GROUP_STREAM_PREFIX)
          ? Promise.reject(new Error('connection terminated unexpectedly'))
          : store.append(streamId, events, expected),
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) => store.readAll(...args),
      subscribe: (...args) => store.subscribe(...args),
      readCheckpoint: (...args) => store.readCheckpoint(...args),
      writeCheckpoint: (...args) => store.writeCheckpoint(...args),
      headPosition: () => store.headPosition(),
      streamHeads: () => store.streamHeads(),
      close: () => Promise.resolve(),
    };
    groups = new BuyersGroupCommands(faulty);
    needs = new NeedCommands(faulty);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    failGroupAppends = false;
  });

  const validatedNeed = async (org: string, region: string) => {
    const need = await needs.record(
      {
        title: 'Sepsis early warning',
        description: 'Sepsis is recognised too late.',
        region,
        diseaseField: 'infectious',
        scope: ['early_detection'],
        patientPopulation: 12000,
        budgetEstimateEur: 2_500_000,
        barriers: [],
        evidence: [],
      },
      meta(org),
    );
    await needs.change(need.id, { type: 'ValidateNeed' }, meta(org));
    return need.id;
  };
  const typesOf = async (needId: string) =>
    (await store.readStream(needStream(needId))).map((e) => e.type);

  it('formation: every claimed need is released with the reason, then free for another group', async () => {
    const galicia = await validatedNeed('org-sergas', 'ES11');
    const vigo = await validatedNeed('org-sergas', 'ES11');
    failGroupAppends = true;
    await expect(
      groups.form({ name: 'Atlantic group', needIds: [galicia, vigo] }, meta('org-sergas')),
    ).rejects.toThrow('connection terminated unexpectedly');
    for (const id of [galicia, vigo]) {
      expect(await typesOf(id)).toEqual([
        'NeedRecorded',
        'NeedValidated',
        'NeedGrouped',
        'NeedReleased',
      ]);
    }
    const [, , , released] = await store.readStream(needStream(galicia));
    expect(released.reason).toMatch(/was not formed or joined: connection terminated unexpectedly/);

    failGroupAppends = false;
    const group = await groups.form(
      { name: 'Atlantic group', needIds: [galicia, vigo] },
      meta('org-sergas'),
    );
    expect(group.needIds).toEqual([galicia, vigo]);
  });

  it('joining: the joining need is released and can join later', async () => {
    const group = await groups.form(
      { name: 'Lombardy group', needIds: [await validatedNeed('org-aria', 'ITC4')] },
      meta('org-aria'),
    );
    const saxony = await validatedNeed('org-sachsen', 'DED');
    failGroupAppends = true;
    await expect(groups.join(group.id, saxony, meta('org-sachsen'))).rejects.toThrow();
    expect((await typesOf(saxony)).slice(-2)).toEqual(['NeedGrouped', 'NeedReleased']);
    failGroupAppends = false;
    const joined = await groups.join(group.id, saxony, meta('org-sachsen'), 0n);
    expect(joined).toMatchObject({ regions: ['ITC4', 'DED'], revision: 1 });
  });
});
