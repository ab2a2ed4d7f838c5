import { randomBytes, randomUUID } from 'node:crypto';
import {
  CommandHandler,
  NO_STREAM,
  PostgresEventStore,
  findChainBreak,
  type Actor,
} from '@pcp/eventsourcing';
import { requireEngine } from '@pcp/testing';
import { sealedBidDecider } from '../domain';
import { BrokenSealError } from './bid-sealing';
import { SEALED_BID_ACTOR, SealedBidStore } from './sealed-bid-store';
import { bidStream } from './streams';

const ORG = 'org-heron-41';
const bidder: Actor = { userId: 'user-heron-7', org: ORG, roles: ['supplier'] };
const PROPOSAL = 'Heron bedside sepsis watch';

describe('bid streams sealed at rest on PostgreSQL', () => {
  const schema = `tenders_sealed_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const key = randomBytes(32);
  let raw: PostgresEventStore;
  let sealed: SealedBidStore;

  beforeAll(async () => {
    raw = await PostgresEventStore.connect(requireEngine('postgres'), { schema });
    sealed = new SealedBidStore(raw, key);
  });
  afterAll(async () => {
    await raw?.client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await raw?.close();
  });

  async function submitted(tenderId: string): Promise<string> {
    const bidId = randomUUID();
    const bids = new CommandHandler(sealed, sealedBidDecider);
    await bids.handle(
      bidStream(bidId),
      {
        type: 'SealBid',
        bidId,
        tenderId,
        actorOrg: ORG,
        sme: true,
        sealNonce: randomBytes(24).toString('base64url'),
        freshInnovationId: randomUUID(),
        respondentInnovations: [],
        priceEur: 731_337,
        technicalProposal: PROPOSAL,
        declaredTrl: 5,
      },
      { actor: bidder, correlationId: randomUUID() },
      NO_STREAM,
    );
    await bids.handle(
      bidStream(bidId),
      { type: 'WithdrawSealedBid', actorOrg: ORG, reason: 'Heron reconsiders' },
      { actor: bidder, correlationId: randomUUID(), reason: 'Heron reconsiders' },
    );
    return bidId;
  }

  it('stores neither content nor bidder in any column; the bidder reads them back', async () => {
    const tenderId = randomUUID();
    const bidId = await submitted(tenderId);
    const rows = await raw.client.query(`SELECT * FROM ${schema}.events WHERE stream_id = $1`, [
      bidStream(bidId),
    ]);
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows);
    for (const needle of [PROPOSAL, 'Heron', '731337', ORG, bidder.userId, 'supplier'])
      expect({ needle, found: stored.includes(needle) }).toEqual({ needle, found: false });
    expect(stored).toContain(tenderId);

    const asStored = await raw.readStream(bidStream(bidId));
    expect(asStored.map((e) => [e.schemaVersion, e.actor, e.reason])).toEqual([
      [2, SEALED_BID_ACTOR, null],
      [2, SEALED_BID_ACTOR, null],
    ]);
    expect(asStored[0].data).toEqual({
      tenderId,
      bidId,
      bidderKey: sealed.bidderKey(ORG),
      sealed: {
        iv: expect.any(String),
        ciphertext: expect.any(String),
        tag: expect.any(String),
      },
    });
    // The chain covers what is stored: it verifies without the key.
    expect(findChainBreak(bidStream(bidId), asStored)).toBeNull();

    const opened = await sealed.readStream(bidStream(bidId));
    expect(opened.map((e) => [e.type, e.actor, e.reason])).toEqual([
      ['SealedBidSubmitted', bidder, null],
      ['SealedBidWithdrawn', bidder, 'Heron reconsiders'],
    ]);
    expect(opened[0].data).toMatchObject({
      bidId,
      tenderId,
      supplierOrg: bidder.org,
      technicalProposal: PROPOSAL,
      priceEur: 731_337,
      sme: true,
    });
    expect(opened[0].hash).toBe(asStored[0].hash);
  });

  it('tells its bidder from the clear part without opening, and another key opens nothing', async () => {
    const tenderId = randomUUID();
    const bidId = await submitted(tenderId);
    expect(await sealed.isBidOf(bidStream(bidId), ORG)).toBe(true);
    expect(await sealed.isBidOf(bidStream(bidId), 'org-other')).toBe(false);
    expect(await sealed.tenderOf(bidStream(bidId))).toBe(tenderId);
    const stranger = new SealedBidStore(raw, randomBytes(32));
    await expect(stranger.readStream(bidStream(bidId))).rejects.toThrow(BrokenSealError);
    expect(await stranger.isBidOf(bidStream(bidId), ORG)).toBe(false);
  });

  it('reads a bid stored plain before sealing at rest (schema version 1) as it was', async () => {
    const bidId = randomUUID();
    const tenderId = randomUUID();
    const data = {
      bidId,
      tenderId,
      supplierOrg: bidder.org,
      innovationId: randomUUID(),
      priceEur: 90_000,
      technicalProposal: 'An old plain bid',
      declaredTrl: 4,
      lotId: null,
      sealNonce: 'n'.repeat(32),
      sealedDigest: 'd'.repeat(64),
    };
    await raw.append(
      bidStream(bidId),
      [{ type: 'SealedBidSubmitted', data, actor: bidder, correlationId: randomUUID() }],
      NO_STREAM,
    );
    const [event] = await sealed.readStream(bidStream(bidId));
    expect(event).toMatchObject({ schemaVersion: 1, actor: bidder, data });
    const state = (await new CommandHandler(sealed, sealedBidDecider).load(bidStream(bidId))).state;
    expect(state).toMatchObject({
      status: 'SEALED',
      bid: { technicalProposal: 'An old plain bid', supplierOrg: bidder.org, sme: null },
    });
    expect(await sealed.isBidOf(bidStream(bidId), ORG)).toBe(true);
    expect(await sealed.isBidOf(bidStream(bidId), 'org-other')).toBe(false);
  });
});
