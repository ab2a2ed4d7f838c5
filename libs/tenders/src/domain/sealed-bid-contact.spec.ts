import { randomUUID } from 'node:crypto';
import { newPersonKey, sealWith, type EventEnvelope } from '@pcp/eventsourcing';
import { integrationTranslator } from '@pcp/messaging';
import {
  bidDigest,
  sealedBidDecider,
  type RevealedBid,
  type SealedBidCommand,
  type SealedBidEvent,
  type SealedBidState,
} from './sealed-bid';

const key = newPersonKey(randomUUID());
const ana = sealWith('u-ana', key, { name: 'Ana Pérez', email: 'ana@medtech.example' });
const bea = sealWith('u-bea', newPersonKey(randomUUID()), { name: 'Bea', email: 'bea@x.example' });

const seal = (contact: typeof ana | null): SealedBidCommand => ({
  type: 'SealBid',
  bidId: 'bid-1',
  tenderId: 'tender-1',
  actorOrg: 'org-medtech',
  sealNonce: 'n'.repeat(24),
  freshInnovationId: 'inno-1',
  respondentInnovations: [],
  priceEur: 90_000,
  technicalProposal: 'Design.',
  declaredTrl: 5,
  contact,
});

const fold = (events: SealedBidEvent[]): SealedBidState =>
  events.reduce(sealedBidDecider.evolve, sealedBidDecider.initialState());

describe("a sealed bid's contact person", () => {
  it('is sealed with the bid but outside its digest, so an erasure never makes a bid unopenable', () => {
    const [withContact] = sealedBidDecider.decide(seal(ana), sealedBidDecider.initialState());
    const [without] = sealedBidDecider.decide(seal(null), sealedBidDecider.initialState());
    const data = withContact.data as { contact?: unknown; sealedDigest: string };
    expect(data.contact).toEqual(ana);
    expect('contact' in (without.data as object)).toBe(false);
    expect(data.sealedDigest).toBe((without.data as { sealedDigest: string }).sealedDigest);
    const state = fold([withContact]);
    expect(state.bid?.contact).toEqual(ana);
    expect(bidDigest(state.bid as RevealedBid)).toBe(state.sealedDigest);
  });

  it('is kept by a replacement without one and changed by a replacement with one', () => {
    const events = sealedBidDecider.decide(seal(ana), sealedBidDecider.initialState());
    const reseal = (contact: typeof ana | null): SealedBidCommand => ({
      type: 'ResealBid',
      actorOrg: 'org-medtech',
      sealNonce: 'm'.repeat(24),
      priceEur: 80_000,
      technicalProposal: 'Cheaper design.',
      declaredTrl: 5,
      contact,
    });
    events.push(...sealedBidDecider.decide(reseal(null), fold(events)));
    expect(fold(events).bid?.contact).toEqual(ana);
    events.push(...sealedBidDecider.decide(reseal(bea), fold(events)));
    expect(fold(events).bid?.contact).toEqual(bea);
    expect(bidDigest(fold(events).bid as RevealedBid)).toBe(fold(events).sealedDigest);
  });

  it('never leaves the context: sealed-bid events are not published', () => {
    const [event] = sealedBidDecider.decide(seal(ana), sealedBidDecider.initialState());
    const envelope: EventEnvelope = {
      id: randomUUID(),
      type: event.type,
      schemaVersion: 1,
      streamId: 'tenders-bid-bid-1',
      revision: 0n,
      globalPosition: 0n,
      occurredAt: '2026-05-01T10:00:00.000Z',
      recordedAt: '2026-05-01T10:00:00.000Z',
      actor: { userId: 'u-ana', org: 'org-medtech', roles: ['supplier'] },
      reason: null,
      correlationId: 'c',
      causationId: null,
      data: event.data,
      prevHash: '0'.repeat(64),
      hash: '0'.repeat(64),
    };
    expect(integrationTranslator('tenders').translate(envelope)).toBeNull();
  });
});
