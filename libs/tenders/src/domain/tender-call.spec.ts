import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import { NotOwnerError } from './errors';
import {
  tenderDecider,
  type ConsultationFacts,
  type TenderCommand,
  type TenderEvent,
} from './tender';
import {
  at,
  consultationId,
  draftPcp,
  draftPpi,
  pcpBids,
  pcpClosed,
  pcpOpened,
  pcpPublished,
  pcpWithBids,
  procurer,
  stateOf,
  story,
  submit,
  tenderId,
} from './__fixtures__/tender-story';

const given = DeciderSpecification.for(tenderDecider);

const drafted: TenderEvent = {
  type: 'TenderDrafted',
  data: {
    tenderId,
    org: procurer,
    consultationId,
    procedure: 'PCP',
    ppiProcedure: null,
    title: 'PCP: sepsis early warning',
    regions: ['ES11'],
    budgetEur: 5_000_000,
    submissionDeadline: '2025-09-30T14:00:00+02:00',
    criteria: [
      { name: 'quality', weight: 80 },
      { name: 'price', weight: 20 },
    ],
    phases: [
      {
        number: 1,
        name: 'SOLUTION_DESIGN',
        budgetEur: 450_000,
        durationMonths: 3,
        maxSuppliers: 3,
      },
      { number: 2, name: 'PROTOTYPING', budgetEur: 1_500_000, durationMonths: 6, maxSuppliers: 2 },
      {
        number: 3,
        name: 'ORIGINAL_DEVELOPMENT_AND_TESTING',
        budgetEur: 3_000_000,
        durationMonths: 12,
        maxSuppliers: 2,
      },
    ],
    description: 'R&D services for early warning of sepsis in emergency departments.',
    lots: [],
  },
};

const draft = (changes: Record<string, unknown>): TenderCommand =>
  ({ ...draftPcp, ...changes }) as TenderCommand;

function validAs(type: string, data: unknown): void {
  const definition = integrationEvents.find(type);
  if (!definition) throw new Error(`${type} is not a declared integration event`);
  const fields = Object.keys((definition.schema as { properties: object }).properties);
  const payload = Object.fromEntries(
    Object.entries(data as object).filter(([k]) => fields.includes(k)),
  );
  expect(integrationEvents.check(definition, payload)).toEqual({ valid: true });
}

describe('drafting a PCP call', () => {
  it('drafts a call with three phases named by default, in the consultation’s regions', () => {
    given([]).when(draftPcp).then([drafted]);
    given([])
      .when(draftPcp)
      .thenState(
        expect.objectContaining({
          status: 'DRAFT',
          org: procurer,
          terms: expect.objectContaining({ procedure: 'PCP', budgetEur: 5_000_000 }),
        }),
      );
  });

  it('records what the published TenderDrafted event needs', () => {
    validAs('TenderDrafted', drafted.data);
  });

  it('keeps phase names that are given, and numbers 2 to 5 phases', () => {
    const [event] = tenderDecider.decide(
      draft({
        phases: [
          { name: 'FEASIBILITY', budgetEur: 100, durationMonths: 2, maxSuppliers: 4 },
          { budgetEur: 100, durationMonths: 2, maxSuppliers: 4 },
        ],
      }),
      tenderDecider.initialState(),
    );
    expect((event.data as { phases: Array<{ number: number; name: string }> }).phases).toEqual([
      expect.objectContaining({ number: 1, name: 'FEASIBILITY' }),
      expect.objectContaining({ number: 2, name: 'PHASE_2' }),
    ]);
  });

  it('refuses fewer than 2 or more than 5 phases', () => {
    const phase = { budgetEur: 100_000, durationMonths: 3, maxSuppliers: 2 };
    given([])
      .when(draft({ phases: [phase] }))
      .thenThrows(DomainRuleError, /2 to 5 phases, not 1/);
    given([])
      .when(draft({ phases: Array(6).fill(phase) }))
      .thenThrows(DomainRuleError, /2 to 5 phases, not 6/);
    given([])
      .when(draft({ phases: undefined }))
      .thenThrows(DomainRuleError, /2 to 5 phases, not 0/);
  });

  it('refuses phase budgets above the call budget', () => {
    const error = given([])
      .when(draft({ budgetEur: 4_000_000 }))
      .thenThrows(
        DomainRuleError,
        /phase budgets add up to EUR 4950000, more than the call budget of EUR 4000000/,
      );
    expect(error.code).toBe('PHASES_OVER_BUDGET');
  });

  it('accepts phase budgets that use the whole call budget', () => {
    const [event] = tenderDecider.decide(
      draft({ budgetEur: 4_950_000 }),
      tenderDecider.initialState(),
    );
    expect(event.type).toBe('TenderDrafted');
  });

  it('refuses a later phase with more suppliers than the one before', () => {
    given([])
      .when(
        draft({
          phases: [
            { budgetEur: 100, durationMonths: 3, maxSuppliers: 3 },
            { budgetEur: 100, durationMonths: 6, maxSuppliers: 4 },
          ],
        }),
      )
      .thenThrows(DomainRuleError, /Phase 2 allows 4 suppliers, more than the 3 of phase 1/);
  });

  it('refuses a phase without a budget, duration or maximum of suppliers', () => {
    given([])
      .when(
        draft({
          phases: [
            { budgetEur: 0, durationMonths: 3, maxSuppliers: 3 },
            (draftPcp.phases as object[])[1],
          ],
        }),
      )
      .thenThrows(DomainRuleError, /budget of phase 1/);
    given([])
      .when(
        draft({
          phases: [
            { budgetEur: 10, durationMonths: 2.5, maxSuppliers: 3 },
            (draftPcp.phases as object[])[1],
          ],
        }),
      )
      .thenThrows(DomainRuleError, /duration of phase 1 .* whole number/);
    given([])
      .when(
        draft({
          phases: [
            { budgetEur: 10, durationMonths: 2, maxSuppliers: 0 },
            (draftPcp.phases as object[])[1],
          ],
        }),
      )
      .thenThrows(DomainRuleError, /maximum suppliers of phase 1/);
  });

  it('refuses criteria weights that do not add up to 100', () => {
    const error = given([])
      .when(
        draft({
          criteria: [
            { name: 'quality', weight: 70 },
            { name: 'price', weight: 20 },
          ],
        }),
      )
      .thenThrows(DomainRuleError, /add up to 90; they must add up to 100/);
    expect(error.code).toBe('WEIGHTS_NOT_100');
  });

  it('accepts weights that add up to 100 only up to rounding', () => {
    const criteria = [
      { name: 'quality', weight: 33.3 },
      { name: 'price', weight: 33.3 },
      { name: 'impact', weight: 33.4 },
    ];
    expect(tenderDecider.decide(draft({ criteria }), tenderDecider.initialState())).toHaveLength(1);
  });

  it('refuses missing, zero-weight or duplicate criteria', () => {
    given([])
      .when(draft({ criteria: [] }))
      .thenThrows(DomainRuleError, /weighted award criteria/);
    given([])
      .when(
        draft({
          criteria: [
            { name: 'quality', weight: 100 },
            { name: 'price', weight: 0 },
          ],
        }),
      )
      .thenThrows(DomainRuleError, /weight of criterion price must be a number above 0/);
    given([])
      .when(
        draft({
          criteria: [
            { name: 'Quality', weight: 50 },
            { name: 'quality', weight: 50 },
          ],
        }),
      )
      .thenThrows(DomainRuleError, /quality is named twice/);
  });

  it('refuses a deadline in the past or not a real time', () => {
    given([])
      .when(draft({ submissionDeadline: '2025-04-30T14:00:00+02:00' }))
      .thenThrows(DomainRuleError, /already passed; set one in the future/);
    given([])
      .when(draft({ submissionDeadline: '2025-02-30T14:00:00+02:00' }))
      .thenThrows(DomainRuleError, /ISO 8601 time with an offset/);
    given([])
      .when(draft({ submissionDeadline: '30/09/2025' }))
      .thenThrows(DomainRuleError, /ISO 8601/);
  });

  it('refuses an empty title or description and a non-positive budget', () => {
    given([])
      .when(draft({ title: '  ' }))
      .thenThrows(DomainRuleError, /title must not be empty/);
    given([])
      .when(draft({ description: '' }))
      .thenThrows(DomainRuleError, /description must not be empty/);
    given([])
      .when(draft({ budgetEur: -5 }))
      .thenThrows(DomainRuleError, /call budget .* above zero/);
  });

  it('refuses a PPI procedure or lots on a PCP call', () => {
    given([])
      .when(draft({ ppiProcedure: 'OPEN' }))
      .thenThrows(DomainRuleError, /PCP call has no PPI procedure/);
    given([])
      .when(draft({ lots: [{ lotId: 'lot-1', title: 'A' }] }))
      .thenThrows(DomainRuleError, /PCP call has no lots/);
  });

  it('needs a known consultation of the same organisation, routed to PCP', () => {
    given([])
      .when(draft({ consultation: null }))
      .thenThrows(DomainRuleError, /No consultation is known with the id cons-2d81/);
    given([])
      .when(draft({ consultation: { ...draftPcp.consultation, org: 'org-other' } }))
      .thenThrows(
        NotOwnerError,
        /Only procurers of org-other, the organisation that ran the consultation/,
      );
    given([])
      .when(draft({ consultation: { ...draftPcp.consultation, route: null } }))
      .thenThrows(DomainRuleError, /no route decision yet/);
    const error = given([])
      .when(draft({ consultation: { ...draftPcp.consultation, route: 'PPI' } }))
      .thenThrows(DomainRuleError, /routed to PPI, which allows a PPI call; this call is PCP/);
    expect(error.code).toBe('ROUTE_MISMATCH');
    given([])
      .when(draft({ consultation: { ...draftPcp.consultation, route: 'COMMERCIAL' } }))
      .thenThrows(DomainRuleError, /routed to COMMERCIAL, which allows no PCP or PPI call/);
  });

  it('refuses a second draft on the same tender id', () => {
    given([drafted])
      .when(draftPcp)
      .thenThrows(InvalidStateError, /already exists/);
  });
});

describe('drafting a PPI call', () => {
  it('drafts with its procedure and lots, without phases', () => {
    const [event] = tenderDecider.decide(draftPpi, tenderDecider.initialState());
    expect(event).toMatchObject({
      type: 'TenderDrafted',
      data: {
        procedure: 'PPI',
        ppiProcedure: 'COMPETITIVE_DIALOGUE',
        phases: [],
        regions: ['ES11', 'ES22'],
        lots: [
          { lotId: 'lot-1', title: 'Galicia', budgetEur: 700_000 },
          { lotId: 'lot-2', title: 'Navarra', budgetEur: 500_000 },
        ],
      },
    });
    validAs('TenderDrafted', event.data);
  });

  it('needs a procedure from the list', () => {
    given([])
      .when({ ...draftPpi, ppiProcedure: undefined })
      .thenThrows(
        DomainRuleError,
        /needs its procedure .*OPEN, RESTRICTED, COMPETITIVE_DIALOGUE, NEGOTIATED, INNOVATION_PARTNERSHIP/,
      );
    given([])
      .when({ ...draftPpi, ppiProcedure: 'AUCTION' })
      .thenThrows(DomainRuleError, /got "AUCTION"/);
  });

  it('refuses phases, duplicate lots and lots over budget', () => {
    given([])
      .when({ ...draftPpi, phases: draftPcp.phases })
      .thenThrows(DomainRuleError, /PPI call has one award phase/);
    given([])
      .when({
        ...draftPpi,
        lots: [
          { lotId: 'l', title: 'A' },
          { lotId: 'l', title: 'B' },
        ],
      })
      .thenThrows(DomainRuleError, /lot id l is used twice/);
    given([])
      .when({ ...draftPpi, lots: [{ lotId: 'l', title: 'A', budgetEur: 2_000_000 }] })
      .thenThrows(DomainRuleError, /lot budgets add up to EUR 2000000, more than the call budget/);
  });

  it('follows a PPI route, or an innovation-partnership route with that procedure only', () => {
    const partnership = {
      ...(draftPpi.consultation as ConsultationFacts),
      route: 'INNOVATION_PARTNERSHIP' as const,
    };
    expect(
      tenderDecider.decide(
        { ...draftPpi, consultation: partnership, ppiProcedure: 'INNOVATION_PARTNERSHIP' },
        tenderDecider.initialState(),
      ),
    ).toHaveLength(1);
    given([])
      .when({ ...draftPpi, consultation: partnership })
      .thenThrows(
        DomainRuleError,
        /routed to INNOVATION_PARTNERSHIP, which allows a PPI call with the INNOVATION_PARTNERSHIP procedure/,
      );
    given([])
      .when({ ...draftPpi, consultation: { ...partnership, route: 'PCP' } })
      .thenThrows(DomainRuleError, /routed to PCP, which allows a PCP call; this call is PPI/);
  });
});

describe('publishing', () => {
  const publish: TenderCommand = { type: 'PublishTender', actorOrg: procurer, now: at.publication };

  it('publishes a draft before its deadline', () => {
    const event: TenderEvent = {
      type: 'TenderPublished',
      data: {
        tenderId,
        org: procurer,
        procedure: 'PCP',
        publishedAt: '2025-06-02T07:00:00.000Z',
        submissionDeadline: '2025-09-30T14:00:00+02:00',
      },
    };
    given([drafted]).when(publish).then([event]);
    validAs('TenderPublished', event.data);
  });

  it('refuses publication after the deadline, pointing to an amendment', () => {
    given([drafted])
      .when({ ...publish, now: at.deadline })
      .thenThrows(
        DomainRuleError,
        /deadline 2025-09-30T14:00:00\+02:00 has passed; amend it before publishing/,
      );
  });

  it('is for the contracting authority only, once', () => {
    given([drafted])
      .when({ ...publish, actorOrg: 'org-other' })
      .thenThrows(
        NotOwnerError,
        /Only procurers of org-sergas, the contracting authority of this tender, can publish it/,
      );
    given(pcpPublished())
      .when(publish)
      .thenThrows(InvalidStateError, /already published/);
  });

  it('refuses commands on a tender that does not exist', () => {
    given([])
      .when(publish)
      .thenThrows(NotFoundError, /no such tender/);
  });
});

describe('amending', () => {
  const amend = (changes: Record<string, unknown>, now = at.bidding): TenderCommand => ({
    type: 'AmendTender',
    actorOrg: procurer,
    changes,
    reason: 'Clarified after supplier questions',
    now,
  });

  it('records a non-material change with its reason and asks for no reconfirmation', () => {
    const [event] = tenderDecider.decide(
      amend({ title: 'PCP: early warning of sepsis' }),
      stateOf(pcpWithBids()),
    );
    expect(event).toMatchObject({
      type: 'TenderAmended',
      reason: 'Clarified after supplier questions',
      data: {
        changedFields: ['title'],
        material: false,
        bidsToReconfirm: [],
        submissionDeadline: '2025-09-30T14:00:00+02:00',
        terms: expect.objectContaining({ title: 'PCP: early warning of sepsis' }),
      },
    });
    validAs('TenderAmended', event.data);
  });

  it('flags the bids placed before a material change; a replacement reconfirms a bid', () => {
    const history = pcpWithBids();
    const [event] = tenderDecider.decide(
      amend({ submissionDeadline: '2025-10-14T14:00:00+02:00', budgetEur: 5_500_000 }),
      stateOf(history),
    );
    expect(event.data).toMatchObject({
      changedFields: ['budgetEur', 'submissionDeadline'],
      material: true,
      bidsToReconfirm: ['bid-a', 'bid-b', 'bid-c'],
    });
    const after = story(
      [{ type: 'ReplaceBid', bidId: 'bid-b', sealedDigest: 'f'.repeat(64), now: at.bidding }],
      [...history, event],
    );
    expect(stateOf(after).sealedBids.map((b) => [b.bidId, b.reconfirmationPending])).toEqual([
      ['bid-a', true],
      ['bid-b', false],
      ['bid-c', true],
    ]);
  });

  it('treats criteria and phases as material', () => {
    const history = pcpWithBids();
    const criteria = [
      { name: 'quality', weight: 70 },
      { name: 'price', weight: 30 },
    ];
    expect(tenderDecider.decide(amend({ criteria }), stateOf(history))[0].data).toMatchObject({
      material: true,
    });
    const phases = [...(draftPcp.phases as object[]).slice(0, 2)];
    expect(tenderDecider.decide(amend({ phases }), stateOf(history))[0].data).toMatchObject({
      material: true,
      changedFields: ['phases'],
    });
  });

  it('checks the amended terms by the drafting rules', () => {
    given(pcpWithBids())
      .when(amend({ budgetEur: 1_000_000 }))
      .thenThrows(DomainRuleError, /more than the call budget of EUR 1000000/);
    given(pcpWithBids())
      .when(amend({ submissionDeadline: '2025-07-01T00:00:00Z' }))
      .thenThrows(DomainRuleError, /already passed/);
  });

  it('refuses an amendment without a reason or without a change', () => {
    given(pcpPublished())
      .when({ ...(amend({ title: 'New' }) as object), reason: ' ' } as TenderCommand)
      .thenThrows(DomainRuleError, /reason for the amendment must not be empty/);
    given(pcpPublished())
      .when(amend({ title: draftPcp.title }))
      .thenThrows(DomainRuleError, /changes nothing/);
  });

  it('refuses to change the procedure or the consultation', () => {
    given(pcpPublished())
      .when(amend({ procedure: 'PPI' }))
      .thenThrows(DomainRuleError, /cannot become PPI/);
    given(pcpPublished())
      .when(amend({ consultationId: 'cons-other' }))
      .thenThrows(DomainRuleError, /follows the consultation cons-2d81/);
  });

  it('refuses an amendment at or after the deadline, and after bidding closed', () => {
    given(pcpWithBids())
      .when(amend({ title: 'Late' }, at.deadline))
      .thenThrows(
        InvalidStateError,
        /deadline 2025-09-30T14:00:00\+02:00 has passed; the call can no longer be amended/,
      );
    given(pcpClosed())
      .when(amend({ title: 'Late' }))
      .thenThrows(
        InvalidStateError,
        /closed for bids, not opened yet; a call can be amended only before/,
      );
  });

  it('lets a draft be amended, even to fix a passed deadline', () => {
    const [event] = tenderDecider.decide(
      amend({ submissionDeadline: '2025-12-01T12:00:00Z' }, new Date('2025-10-05T00:00:00Z')),
      stateOf([drafted]),
    );
    expect(event.data).toMatchObject({
      bidsToReconfirm: [],
      submissionDeadline: '2025-12-01T12:00:00Z',
    });
  });

  it('is for the contracting authority only', () => {
    given(pcpPublished())
      .when({ ...(amend({ title: 'X' }) as object), actorOrg: 'org-medtech-sme' } as TenderCommand)
      .thenThrows(NotOwnerError, /can amend it/);
  });
});

describe('the deadline', () => {
  it('closes bidding at the deadline, by the system, with the number of bids', () => {
    given(pcpWithBids())
      .when({ type: 'CloseBidding', now: at.deadline })
      .then([
        {
          type: 'BiddingClosed',
          data: {
            tenderId,
            closedAt: '2025-09-30T12:00:00.000Z',
            submissionDeadline: '2025-09-30T14:00:00+02:00',
            count: 3,
          },
        },
      ]);
    given(pcpWithBids())
      .when({ type: 'CloseBidding', now: at.deadline })
      .thenState(expect.objectContaining({ status: 'BIDS_CLOSED' }));
  });

  it('refuses to close before the deadline', () => {
    given(pcpWithBids())
      .when({ type: 'CloseBidding', now: new Date('2025-09-30T11:59:59Z') })
      .thenThrows(
        InvalidStateError,
        /closes at the submission deadline 2025-09-30T14:00:00\+02:00, not before/,
      );
  });

  it('does nothing when the scheduler fires again, or on a draft or cancelled tender', () => {
    given(pcpClosed()).when({ type: 'CloseBidding', now: at.opening }).thenNothingHappens();
    given([drafted]).when({ type: 'CloseBidding', now: at.opening }).thenNothingHappens();
  });
});

describe('cancelling and declaring unsuccessful', () => {
  const cancel: TenderCommand = {
    type: 'CancelTender',
    actorOrg: procurer,
    reason: 'Budget withdrawn by the funder',
  };

  it('cancels an open tender with a reason', () => {
    const event: TenderEvent = {
      type: 'TenderCancelled',
      data: {
        tenderId,
        org: procurer,
        outcome: 'CANCELLED',
        reason: 'Budget withdrawn by the funder',
      },
      reason: 'Budget withdrawn by the funder',
    };
    given(pcpWithBids()).when(cancel).then([event]);
    given([drafted])
      .when(cancel)
      .thenState(expect.objectContaining({ status: 'CANCELLED' }));
    validAs('TenderCancelled', event.data);
  });

  it('refuses a cancellation without a reason, by another organisation, or twice', () => {
    given(pcpWithBids())
      .when({ ...cancel, reason: '' })
      .thenThrows(DomainRuleError, /reason for the cancellation must not be empty/);
    given(pcpWithBids())
      .when({ ...cancel, actorOrg: 'org-other' })
      .thenThrows(NotOwnerError);
    const cancelled = story([cancel], pcpWithBids());
    given(cancelled)
      .when(cancel)
      .thenThrows(InvalidStateError, /already cancelled/);
  });

  it('takes no bids once cancelled', () => {
    const cancelled = story([cancel], pcpPublished());
    given(cancelled)
      .when(submit(pcpBids[0]))
      .thenThrows(InvalidStateError, /The tender is cancelled; it takes no bids/);
  });

  it('declares a tender without any bid unsuccessful after the deadline', () => {
    const empty = story([{ type: 'CloseBidding', now: at.deadline }], pcpPublished());
    given(empty)
      .when({ type: 'DeclareUnsuccessful', actorOrg: procurer, reason: 'No bid arrived' })
      .then([
        {
          type: 'TenderCancelled',
          data: { tenderId, org: procurer, outcome: 'UNSUCCESSFUL', reason: 'No bid arrived' },
          reason: 'No bid arrived',
        },
      ]);
  });

  it('declares a tender unsuccessful once every opened bid is rejected with a reason', () => {
    const rejectAll = pcpBids.map((b): TenderCommand => ({
      type: 'RejectBid',
      actorOrg: procurer,
      bidId: b.bidId,
      reason: 'No valid technical offer',
    }));
    const opened = pcpOpened();
    given(story(rejectAll.slice(0, 2), opened))
      .when({ type: 'DeclareUnsuccessful', actorOrg: procurer, reason: 'No admissible bid' })
      .thenThrows(DomainRuleError, /1 admissible bid\(s\) remain/);
    given(story(rejectAll, opened))
      .when({ type: 'DeclareUnsuccessful', actorOrg: procurer, reason: 'No admissible bid' })
      .thenState(expect.objectContaining({ status: 'UNSUCCESSFUL' }));
  });

  it('refuses to declare unsuccessful while admissible bids remain or before the deadline', () => {
    given(pcpClosed())
      .when({ type: 'DeclareUnsuccessful', actorOrg: procurer, reason: 'x' })
      .thenThrows(DomainRuleError, /3 admissible bid\(s\) remain/);
    given(pcpPublished())
      .when({ type: 'DeclareUnsuccessful', actorOrg: procurer, reason: 'x' })
      .thenThrows(InvalidStateError, /no admissible bid is left after the deadline/);
  });
});
