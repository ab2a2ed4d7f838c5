import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import { LateBidError, NotOwnerError } from './errors';
import {
  bidDigest,
  sealedBidDecider,
  standingBid,
  type SealedBidCommand,
  type RevealedBid,
  type SealedBidEvent,
} from './sealed-bid';
import {
  WITHHELD_ACTOR_EVENTS,
  isLateBid,
  tenderDecider,
  type TenderCommand,
  type TenderEvent,
} from './tender';
import {
  at,
  draftPpi,
  pcpBids,
  pcpClosed,
  pcpPublished,
  pcpWithBids,
  procurer,
  sealBid,
  stateOf,
  story,
  submit,
  suppliers,
  tenderId,
} from './__fixtures__/tender-story';

function definition(type: string) {
  const found = integrationEvents.find(type);
  if (!found) throw new Error(`${type} is not a declared integration event`);
  return found;
}

const givenBid = DeciderSpecification.for(sealedBidDecider);
const given = DeciderSpecification.for(tenderDecider);

const supplier = suppliers[0];
const seal: Extract<SealedBidCommand, { type: 'SealBid' }> = {
  type: 'SealBid',
  bidId: 'bid-a',
  tenderId,
  actorOrg: supplier,
  sealNonce: 'c2VhbC1ub25jZS0wMDAx',
  freshInnovationId: 'inno-new',
  respondentInnovations: [
    { innovationId: 'inno-4c6e', supplierOrg: supplier },
    { innovationId: 'inno-77d0', supplierOrg: 'org-rto-vigo' },
  ],
  priceEur: 400_000,
  technicalProposal: 'Continuous sepsis risk score from vital signs and lab values.',
  declaredTrl: 4,
};
const sealed = sealedBidDecider.decide(seal, sealedBidDecider.initialState());
const sealedData = (sealed[0] as Extract<SealedBidEvent, { type: 'SealedBidSubmitted' }>).data;

describe('sealing a bid in its own stream', () => {
  it('records content, bidder and innovation there, with a salted digest over all of it', () => {
    expect(sealed).toEqual([
      {
        type: 'SealedBidSubmitted',
        data: {
          bidId: 'bid-a',
          tenderId,
          supplierOrg: supplier,
          sme: null,
          innovationId: 'inno-4c6e',
          priceEur: 400_000,
          technicalProposal: 'Continuous sepsis risk score from vital signs and lab values.',
          declaredTrl: 4,
          lotId: null,
          sealNonce: 'c2VhbC1ub25jZS0wMDAx',
          sealedDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      },
    ]);
    const { sealedDigest, ...revealed } = sealedData;
    expect(bidDigest(revealed)).toBe(sealedDigest);
  });

  it('gives another digest for another salt or another price', () => {
    const { sealedDigest, ...revealed } = sealedData;
    expect(bidDigest({ ...revealed, sealNonce: 'another-salt-000001' })).not.toBe(sealedDigest);
    expect(bidDigest({ ...revealed, priceEur: 400_001 })).not.toBe(sealedDigest);
  });

  it('seals the bidder’s SME claim with the bid, under the digest, and still opens bids sealed before it', () => {
    const [event] = sealedBidDecider.decide(
      { ...seal, sme: true },
      sealedBidDecider.initialState(),
    );
    const { sealedDigest, ...revealed } = (
      event as Extract<SealedBidEvent, { type: 'SealedBidSubmitted' }>
    ).data;
    expect(revealed.sme).toBe(true);
    expect(bidDigest(revealed)).toBe(sealedDigest);
    expect(bidDigest({ ...revealed, sme: false })).not.toBe(sealedDigest);
    // A bid stored before the flag existed: no `sme` in its data, and its digest left it out.
    const { sme: _none, ...earlier } = sealedData;
    const state = sealedBidDecider.evolve(sealedBidDecider.initialState(), {
      type: 'SealedBidSubmitted',
      data: earlier as typeof sealedData,
    });
    expect(state.bid?.sme).toBeNull();
    expect(bidDigest(state.bid as RevealedBid)).toBe(sealedData.sealedDigest);
  });

  it('continues the organisation’s innovation from the consultation, or starts a new one', () => {
    const { innovationId: _named, ...unnamed } = seal;
    expect(sealedBidDecider.decide(unnamed, sealedBidDecider.initialState())[0].data).toMatchObject(
      {
        innovationId: 'inno-4c6e',
      },
    );
    expect(
      sealedBidDecider.decide(
        { ...unnamed, actorOrg: 'org-startup' },
        sealedBidDecider.initialState(),
      )[0].data,
    ).toMatchObject({ innovationId: 'inno-new', supplierOrg: 'org-startup' });
  });

  it('refuses an innovation that is not the bidder’s own', () => {
    givenBid([])
      .when({ ...seal, innovationId: 'inno-77d0' })
      .thenThrows(DomainRuleError, /inno-77d0 is not one your organisation proposed/);
  });

  it('refuses a bid without a price, proposal or valid declared TRL', () => {
    givenBid([])
      .when({ ...seal, priceEur: 0 })
      .thenThrows(DomainRuleError, /price .* above zero/);
    givenBid([])
      .when({ ...seal, technicalProposal: '' })
      .thenThrows(DomainRuleError, /technical proposal must not be empty/);
    givenBid([])
      .when({ ...seal, declaredTrl: 10 })
      .thenThrows(DomainRuleError, /declared TRL must be a whole number from 1 to 9, not 10/);
    givenBid([])
      .when({ ...seal, sealNonce: 'short' })
      .thenThrows(DomainRuleError, /random salt/);
  });

  it('refuses the same bid id twice', () => {
    givenBid(sealed)
      .when(seal)
      .thenThrows(InvalidStateError, /already exists/);
  });

  it('lets the bidder replace the content under a new salt', () => {
    const [event] = sealedBidDecider.decide(
      {
        type: 'ResealBid',
        actorOrg: supplier,
        sealNonce: 'c2VhbC1ub25jZS0wMDAy',
        priceEur: 390_000,
        technicalProposal: 'Revised proposal.',
        declaredTrl: 4,
      },
      sealed.reduce(sealedBidDecider.evolve, sealedBidDecider.initialState()),
    );
    expect(event).toMatchObject({ type: 'SealedBidReplaced', data: { priceEur: 390_000 } });
    const state = [...sealed, event].reduce(
      sealedBidDecider.evolve,
      sealedBidDecider.initialState(),
    );
    expect(state.bid).toMatchObject({
      supplierOrg: supplier,
      innovationId: 'inno-4c6e',
      priceEur: 390_000,
    });
    expect(bidDigest(state.bid as RevealedBid)).toBe(state.sealedDigest);
  });

  it('stands by the version its tender recorded, not a later one the tender never took', () => {
    const reseal = (priceEur: number, nonce: string, history: SealedBidEvent[]) =>
      sealedBidDecider.decide(
        {
          type: 'ResealBid',
          actorOrg: supplier,
          sealNonce: nonce,
          priceEur,
          technicalProposal: `Proposal at ${priceEur}.`,
          declaredTrl: 4,
        },
        history.reduce(sealedBidDecider.evolve, sealedBidDecider.initialState()),
      )[0];
    const second = reseal(390_000, 'c2VhbC1ub25jZS0wMDAy', sealed);
    const third = reseal(370_000, 'c2VhbC1ub25jZS0wMDAz', [...sealed, second]);
    const stream = [...sealed, second, third];
    const digestOf = (e: SealedBidEvent) => (e.data as { sealedDigest: string }).sealedDigest;

    // The tender recorded the second version; the third was sealed but refused.
    const standing = standingBid(stream, digestOf(second));
    expect(standing).toMatchObject({ status: 'SEALED', bid: { priceEur: 390_000 } });
    expect(standing.sealedDigest).toBe(digestOf(second));
    expect(bidDigest(standing.bid as RevealedBid)).toBe(digestOf(second));
    expect(standingBid(stream, digestOf(sealed[0])).bid?.priceEur).toBe(
      (sealed[0].data as { priceEur: number }).priceEur,
    );
    // No version under the digest (an altered stream): the last, which opening refuses.
    expect(standingBid(stream, 'f'.repeat(64)).bid?.priceEur).toBe(370_000);
    expect(standingBid(stream, null).bid?.priceEur).toBe(370_000);
    // A withdrawal after the recorded version keeps the stream's status.
    const withdrawn: SealedBidEvent = {
      type: 'SealedBidWithdrawn',
      data: { bidId: 'bid-d', tenderId, reason: null },
    };
    expect(standingBid([...stream, withdrawn], digestOf(second)).status).toBe('WITHDRAWN');
  });

  it('refuses replacement or withdrawal by anyone else, without naming the bidder', () => {
    const error = givenBid(sealed)
      .when({ type: 'WithdrawSealedBid', actorOrg: 'org-rival' })
      .thenThrows(NotOwnerError, /Only the organisation that submitted this bid/);
    expect(JSON.stringify([error.message, error.details])).not.toContain(supplier);
    givenBid(sealed)
      .when({
        type: 'ResealBid',
        actorOrg: 'org-rival',
        sealNonce: 'x'.repeat(16),
        priceEur: 1,
        technicalProposal: 'x',
        declaredTrl: 1,
      })
      .thenThrows(NotOwnerError);
  });

  it('withdraws with an optional reason, once', () => {
    const withdrawn: SealedBidEvent = {
      type: 'SealedBidWithdrawn',
      data: { bidId: 'bid-a', tenderId, reason: 'Consortium dissolved' },
      reason: 'Consortium dissolved',
    };
    givenBid(sealed)
      .when({ type: 'WithdrawSealedBid', actorOrg: supplier, reason: 'Consortium dissolved' })
      .then([withdrawn]);
    givenBid([...sealed, withdrawn])
      .when({ type: 'WithdrawSealedBid', actorOrg: supplier })
      .thenThrows(InvalidStateError, /withdrawn; submit a new bid/);
  });

  it('knows no bid that was never sealed', () => {
    givenBid([]).when({ type: 'WithdrawSealedBid', actorOrg: supplier }).thenThrows(NotFoundError);
  });
});

describe('a bid arriving at the tender', () => {
  it('records only the bid id, the digest and the count', () => {
    given(pcpPublished())
      .when(submit(pcpBids[0]))
      .then([
        {
          type: 'BidSubmitted',
          data: { tenderId, bidId: 'bid-a', sealedDigest: pcpBids[0].digest, count: 1 },
        },
      ]);
    const check = integrationEvents.check(definition('BidSubmitted'), {
      tenderId,
      bidId: 'bid-a',
      count: 1,
    });
    expect(check).toEqual({ valid: true });
  });

  it('keeps every bidder, price and proposal out of the tender stream before opening', () => {
    const history = JSON.stringify(pcpClosed());
    for (const bid of pcpBids) {
      expect(history).not.toContain(bid.revealed.supplierOrg);
      expect(history).not.toContain(bid.revealed.innovationId);
      expect(history).not.toContain(bid.revealed.technicalProposal);
      expect(history).not.toContain(String(bid.revealed.priceEur));
    }
    expect(WITHHELD_ACTOR_EVENTS).toEqual([
      'BidSubmitted',
      'BidReplaced',
      'BidWithdrawn',
      'LateBidRefused',
    ]);
  });

  it('refuses bids before publication and from the contracting authority itself', () => {
    given(pcpPublished().slice(0, 1))
      .when(submit(pcpBids[0]))
      .thenThrows(InvalidStateError, /not published yet/);
    given(pcpPublished())
      .when({ ...submit(pcpBids[0]), actorOrg: procurer } as TenderCommand)
      .thenThrows(DomainRuleError, /org-sergas runs this tender and cannot bid in it/);
  });

  it('refuses a second live bid of the same organisation, pointing to replacement', () => {
    const error = given(pcpWithBids())
      .when({
        ...submit(sealBid('bid-a2', suppliers[0], { priceEur: 1, declaredTrl: 4 })),
        ownLiveBids: [{ bidId: 'bid-a', lotId: null }],
      } as TenderCommand)
      .thenThrows(
        InvalidStateError,
        /already has the bid bid-a here; replace or withdraw it instead/,
      );
    expect(error.code).toBe('ALREADY_BID');
  });

  it('refuses a bid id used before and a malformed digest', () => {
    given(pcpWithBids())
      .when(submit(pcpBids[0]))
      .thenThrows(InvalidStateError, /bid-a already exists/);
    given(pcpPublished())
      .when({ ...submit(pcpBids[0]), sealedDigest: 'abc' } as TenderCommand)
      .thenThrows(DomainRuleError, /SHA-256 digest/);
  });

  it('needs a lot of the call when the call has lots, and none otherwise', () => {
    const ppi = story([
      draftPpi,
      { type: 'PublishTender', actorOrg: procurer, now: at.publication },
    ]);
    const bid = sealBid('bid-x', suppliers[1], { priceEur: 5, declaredTrl: 8 }, 'tender-77aa');
    given(ppi)
      .when(submit(bid))
      .thenThrows(DomainRuleError, /Name the lot the bid answers .*lot-1, lot-2/);
    given(ppi)
      .when(submit(bid, at.bidding, 'lot-9'))
      .thenThrows(DomainRuleError, /lot-1, lot-2/);
    expect(tenderDecider.decide(submit(bid, at.bidding, 'lot-2'), stateOf(ppi))).toHaveLength(1);
    given(pcpPublished())
      .when(submit(pcpBids[0], at.bidding, 'lot-1'))
      .thenThrows(DomainRuleError, /no lots; leave lotId out/);
  });

  it('lets one organisation bid once per lot', () => {
    const ppi = story([
      draftPpi,
      { type: 'PublishTender', actorOrg: procurer, now: at.publication },
    ]);
    const first = sealBid(
      'bid-x1',
      suppliers[1],
      { priceEur: 5, declaredTrl: 8, lotId: 'lot-1' },
      'tender-77aa',
    );
    const withFirst = story([submit(first, at.bidding, 'lot-1')], ppi);
    const second = {
      ...submit(
        sealBid(
          'bid-x2',
          suppliers[1],
          { priceEur: 5, declaredTrl: 8, lotId: 'lot-2' },
          'tender-77aa',
        ),
        at.bidding,
        'lot-2',
      ),
      ownLiveBids: [{ bidId: 'bid-x1', lotId: 'lot-1' }],
    } as TenderCommand;
    expect(tenderDecider.decide(second, stateOf(withFirst))).toHaveLength(1);
    given(withFirst)
      .when({ ...second, lotId: 'lot-1' } as TenderCommand)
      .thenThrows(InvalidStateError, /already has the bid bid-x1 here for lot lot-1/);
  });

  it('replaces a standing bid’s digest and withdraws a standing bid', () => {
    given(pcpWithBids())
      .when({ type: 'ReplaceBid', bidId: 'bid-b', sealedDigest: 'e'.repeat(64), now: at.bidding })
      .then([
        { type: 'BidReplaced', data: { tenderId, bidId: 'bid-b', sealedDigest: 'e'.repeat(64) } },
      ]);
    given(pcpWithBids())
      .when({ type: 'WithdrawBid', bidId: 'bid-b', now: at.bidding })
      .then([{ type: 'BidWithdrawn', data: { tenderId, bidId: 'bid-b', count: 2 } }]);
  });

  it('refuses to replace or withdraw an unknown or withdrawn bid', () => {
    given(pcpWithBids())
      .when({ type: 'WithdrawBid', bidId: 'bid-z', now: at.bidding })
      .thenThrows(NotFoundError, /no bid bid-z/);
    const withdrawn = story(
      [{ type: 'WithdrawBid', bidId: 'bid-b', now: at.bidding }],
      pcpWithBids(),
    );
    given(withdrawn)
      .when({ type: 'ReplaceBid', bidId: 'bid-b', sealedDigest: 'e'.repeat(64), now: at.bidding })
      .thenThrows(InvalidStateError, /bid-b was withdrawn/);
  });
});

describe('late bids', () => {
  const lateSubmission = submit(
    sealBid('bid-late', suppliers[3], { priceEur: 9, declaredTrl: 3 }),
    at.deadline,
  );

  it('refuses a bid at the deadline by the server clock, even before bidding is closed', () => {
    const error = given(pcpWithBids())
      .when(lateSubmission)
      .thenThrows(
        LateBidError,
        /deadline 2025-09-30T14:00:00\+02:00 has passed; a bid is refused and the refusal is recorded/,
      );
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.code).toBe('BID_DEADLINE_PASSED');
  });

  it('accepts a bid one millisecond before the deadline', () => {
    const justInTime = {
      ...lateSubmission,
      now: new Date(at.deadline.getTime() - 1),
    } as TenderCommand;
    expect(tenderDecider.decide(justInTime, stateOf(pcpWithBids()))[0].type).toBe('BidSubmitted');
  });

  it('refuses late replacements and withdrawals, and any bid once closed', () => {
    given(pcpWithBids())
      .when({ type: 'ReplaceBid', bidId: 'bid-a', sealedDigest: 'e'.repeat(64), now: at.deadline })
      .thenThrows(LateBidError, /the replacement is refused/);
    given(pcpWithBids())
      .when({ type: 'WithdrawBid', bidId: 'bid-a', now: at.deadline })
      .thenThrows(LateBidError, /the withdrawal is refused/);
    given(pcpClosed())
      .when({ ...lateSubmission, now: at.opening } as TenderCommand)
      .thenThrows(LateBidError);
  });

  it('records the refusal without bid id, content or bidder', () => {
    given(pcpWithBids())
      .when({ type: 'RecordLateBid', attempt: 'SUBMIT', now: at.deadline })
      .then([
        {
          type: 'LateBidRefused',
          data: { tenderId, at: '2025-09-30T12:00:00.000Z', attempt: 'SUBMIT' },
        },
      ]);
    given(pcpWithBids())
      .when({ type: 'RecordLateBid', attempt: 'SUBMIT', now: at.deadline })
      .thenState(expect.objectContaining({ lateBidRefusals: 1, status: 'PUBLISHED' }));
  });

  it('records a refusal only for a real late attempt', () => {
    given(pcpWithBids())
      .when({ type: 'RecordLateBid', attempt: 'SUBMIT', now: at.bidding })
      .thenThrows(InvalidStateError, /not a late bid/);
    expect(isLateBid(stateOf(pcpPublished().slice(0, 1)), at.opening)).toBe(false);
    const cancelled = story(
      [{ type: 'CancelTender', actorOrg: procurer, reason: 'Stopped' }],
      pcpPublished(),
    );
    expect(isLateBid(stateOf(cancelled), at.opening)).toBe(false);
  });
});

describe('opening the bids', () => {
  const open = (revealed = pcpBids.map((b) => b.revealed), actorOrg = procurer): TenderCommand => ({
    type: 'OpenBids',
    actorOrg,
    revealed,
    now: at.opening,
  });

  it('reveals bidders, their SME flags, innovations, declared TRLs and prices once bidding is closed', () => {
    const [event] = tenderDecider.decide(open(), stateOf(pcpClosed()));
    expect(event).toEqual({
      type: 'BidsOpened',
      data: {
        tenderId,
        org: procurer,
        openedAt: '2025-10-01T08:00:00.000Z',
        bids: pcpBids.map((b) => ({
          bidId: b.bidId,
          innovationId: b.revealed.innovationId,
          supplierOrg: b.revealed.supplierOrg,
          sme: b.revealed.sme,
          declaredTrl: b.revealed.declaredTrl,
          priceEur: b.revealed.priceEur,
          lotId: null,
          reconfirmationPending: false,
        })),
      },
    });
    const { data } = event as Extract<TenderEvent, { type: 'BidsOpened' }>;
    const published = {
      ...data,
      bids: data.bids.map(({ bidId, innovationId, supplierOrg, declaredTrl, sme }) => ({
        bidId,
        innovationId,
        supplierOrg,
        declaredTrl,
        sme,
      })),
    };
    expect(published.bids.map((b) => b.sme)).toEqual([true, false, null]);
    expect(integrationEvents.check(definition('BidsOpened'), published)).toEqual({ valid: true });
    expect(JSON.stringify(event)).not.toContain('Proposal of');
  });

  it('keeps bids sealed before the deadline and until bidding is closed', () => {
    given(pcpWithBids())
      .when(open())
      .thenThrows(InvalidStateError, /Bids stay sealed until bidding closes/);
  });

  it('refuses a bid whose content differs from what was sealed', () => {
    const tampered = pcpBids.map((b) =>
      b.bidId === 'bid-b' ? { ...b.revealed, priceEur: 1 } : b.revealed,
    );
    const error = given(pcpClosed())
      .when(open(tampered))
      .thenThrows(DomainRuleError, /bid-b does not match the digest/);
    expect(error.code).toBe('SEALED_BID_ALTERED');
    const otherBidder = pcpBids.map((b) =>
      b.bidId === 'bid-a' ? { ...b.revealed, supplierOrg: 'org-rival' } : b.revealed,
    );
    given(pcpClosed())
      .when(open(otherBidder))
      .thenThrows(DomainRuleError, /bid-a does not match/);
  });

  it('opens all standing bids together, and nothing else', () => {
    given(pcpClosed())
      .when(open(pcpBids.slice(1).map((b) => b.revealed)))
      .thenThrows(DomainRuleError, /sealed bid bid-a was not brought to the opening/);
    const withdrawn = story(
      [
        { type: 'WithdrawBid', bidId: 'bid-c', now: at.bidding },
        { type: 'CloseBidding', now: at.deadline },
      ],
      pcpWithBids(),
    );
    given(withdrawn)
      .when(open())
      .thenThrows(DomainRuleError, /bid-c is not a standing bid/);
    expect(
      tenderDecider.decide(open(pcpBids.slice(0, 2).map((b) => b.revealed)), stateOf(withdrawn)),
    ).toHaveLength(1);
  });

  it('marks bids placed before a material amendment and never reconfirmed', () => {
    const amended = story(
      [
        {
          type: 'AmendTender',
          actorOrg: procurer,
          changes: { budgetEur: 5_200_000 },
          reason: 'Extra funding',
          now: at.bidding,
        },
        { type: 'CloseBidding', now: at.deadline },
      ],
      pcpWithBids(),
    );
    const [event] = tenderDecider.decide(open(), stateOf(amended));
    expect(
      (event.data as { bids: Array<{ reconfirmationPending: boolean }> }).bids.map(
        (b) => b.reconfirmationPending,
      ),
    ).toEqual([true, true, true]);
  });

  it('has nothing to open when no bid arrived', () => {
    const empty = story([{ type: 'CloseBidding', now: at.deadline }], pcpPublished());
    given(empty)
      .when(open([]))
      .thenThrows(
        DomainRuleError,
        /No bid arrived before the deadline; declare the tender unsuccessful/,
      );
  });

  it('is for the contracting authority, once', () => {
    given(pcpClosed())
      .when(open(undefined, 'org-medtech-sme'))
      .thenThrows(NotOwnerError, /can open its bids/);
    const opened = story([open()], pcpClosed());
    given(opened)
      .when(open())
      .thenThrows(InvalidStateError, /not waiting to be opened/);
  });
});
