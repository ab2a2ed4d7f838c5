import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import { integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import { NotOwnerError } from './errors';
import { tenderDecider, type TenderCommand, type TenderEvent } from './tender';
import {
  deliverAndAccept,
  downSelectInto2,
  pcpAwarded,
  pcpCompleted,
  pcpInPhase2,
  pcpPhase1Reviewed,
  ppiStory,
  procurer,
  stateOf,
  story,
  suppliers,
  tenderId,
} from './__fixtures__/tender-story';

const given = DeciderSpecification.for(tenderDecider);

function published(type: string, data: unknown): { valid: boolean } {
  const definition = integrationEvents.find(type);
  if (!definition) throw new Error(`${type} is not a declared integration event`);
  const fields = Object.keys((definition.schema as { properties: object }).properties);
  const payload = Object.fromEntries(
    Object.entries(data as object).filter(([k]) => fields.includes(k)),
  );
  return integrationEvents.check(definition, payload);
}

const submitDeliverable = (
  changes: Partial<Extract<TenderCommand, { type: 'SubmitDeliverable' }>> = {},
): TenderCommand => ({
  type: 'SubmitDeliverable',
  actorOrg: suppliers[0],
  contractId: 'ctr-1-bid-a',
  deliverableId: 'del-1',
  title: 'Solution design report',
  description: 'Architecture, data flows and validation plan.',
  ...changes,
});

const complete = (results: Array<Record<string, unknown>>, phase = 1): TenderCommand => ({
  type: 'CompletePhase',
  actorOrg: procurer,
  phase,
  results: results as never,
});

const result = (contractId: string, passed: boolean, assessedTrl = 5) => ({
  contractId,
  passed,
  assessedTrl,
  reason: passed ? 'Objectives met' : 'Objectives missed',
});

describe('deliverables', () => {
  it('are submitted by the contract holder during the phase', () => {
    given(pcpAwarded())
      .when(submitDeliverable())
      .then([
        {
          type: 'DeliverableSubmitted',
          data: {
            tenderId,
            contractId: 'ctr-1-bid-a',
            deliverableId: 'del-1',
            phase: 1,
            supplierOrg: suppliers[0],
            title: 'Solution design report',
            description: 'Architecture, data flows and validation plan.',
          },
        },
      ]);
  });

  it('refuses another organisation, an unknown contract, a duplicate id and empty texts', () => {
    given(pcpAwarded())
      .when(submitDeliverable({ actorOrg: suppliers[1] }))
      .thenThrows(
        NotOwnerError,
        /Only org-medtech-sme, the holder of the contract ctr-1-bid-a, can submit its deliverables/,
      );
    given(pcpAwarded())
      .when(submitDeliverable({ contractId: 'ctr-x' }))
      .thenThrows(NotFoundError, /no contract ctr-x/);
    const once = story([submitDeliverable()], pcpAwarded());
    given(once)
      .when(submitDeliverable())
      .thenThrows(InvalidStateError, /del-1 already exists/);
    given(pcpAwarded())
      .when(submitDeliverable({ title: '' }))
      .thenThrows(DomainRuleError, /title must not be empty/);
  });

  it('are accepted by the contracting authority, once', () => {
    const submitted = story([submitDeliverable()], pcpAwarded());
    const accepted: TenderEvent = {
      type: 'DeliverableAccepted',
      data: {
        tenderId,
        contractId: 'ctr-1-bid-a',
        deliverableId: 'del-1',
        phase: 1,
        innovationId: 'inno-bid-a',
        title: 'Solution design report',
      },
    };
    given(submitted)
      .when({
        type: 'AcceptDeliverable',
        actorOrg: procurer,
        contractId: 'ctr-1-bid-a',
        deliverableId: 'del-1',
      })
      .then([accepted]);
    expect(published('DeliverableAccepted', accepted.data)).toEqual({ valid: true });
    given(submitted)
      .when({
        type: 'AcceptDeliverable',
        actorOrg: suppliers[0],
        contractId: 'ctr-1-bid-a',
        deliverableId: 'del-1',
      })
      .thenThrows(NotOwnerError, /can accept deliverables/);
    given(submitted)
      .when({
        type: 'AcceptDeliverable',
        actorOrg: procurer,
        contractId: 'ctr-1-bid-a',
        deliverableId: 'del-9',
      })
      .thenThrows(NotFoundError, /no deliverable del-9/);
    given([...submitted, accepted])
      .when({
        type: 'AcceptDeliverable',
        actorOrg: procurer,
        contractId: 'ctr-1-bid-a',
        deliverableId: 'del-1',
      })
      .thenThrows(InvalidStateError, /already accepted/);
  });

  it('belong to the running phase only', () => {
    given(pcpPhase1Reviewed())
      .when(submitDeliverable({ deliverableId: 'del-late' }))
      .thenThrows(InvalidStateError, /Phase 1 is completed; down-select/);
    given(pcpInPhase2())
      .when(submitDeliverable({ deliverableId: 'del-late' }))
      .thenThrows(InvalidStateError, /ctr-1-bid-a belongs to phase 1, which has ended/);
  });
});

describe('completing a phase', () => {
  const accepted = () =>
    story(
      [
        ...deliverAndAccept('ctr-1-bid-a', suppliers[0]),
        ...deliverAndAccept('ctr-1-bid-b', suppliers[1]),
      ],
      pcpAwarded(),
    );

  it('records every contract’s result and one TRL assessment per contract', () => {
    const events = tenderDecider.decide(
      complete([
        result('ctr-1-bid-a', true, 5),
        result('ctr-1-bid-b', true, 4),
        result('ctr-1-bid-c', false, 3),
      ]),
      stateOf(accepted()),
    );
    expect(events.map((e) => e.type)).toEqual([
      'PhaseCompleted',
      'TrlAssessedInPhase',
      'TrlAssessedInPhase',
      'TrlAssessedInPhase',
    ]);
    expect(events[0].data).toEqual({
      tenderId,
      phase: 1,
      results: [
        {
          contractId: 'ctr-1-bid-a',
          innovationId: 'inno-bid-a',
          supplierOrg: suppliers[0],
          passed: true,
          assessedTrl: 5,
          reason: 'Objectives met',
        },
        {
          contractId: 'ctr-1-bid-b',
          innovationId: 'inno-bid-b',
          supplierOrg: suppliers[1],
          passed: true,
          assessedTrl: 4,
          reason: 'Objectives met',
        },
        {
          contractId: 'ctr-1-bid-c',
          innovationId: 'inno-bid-c',
          supplierOrg: suppliers[2],
          passed: false,
          assessedTrl: 3,
          reason: 'Objectives missed',
        },
      ],
    });
    expect(events[3]).toEqual({
      type: 'TrlAssessedInPhase',
      data: {
        tenderId,
        phase: 1,
        contractId: 'ctr-1-bid-c',
        innovationId: 'inno-bid-c',
        trl: 3,
        kind: 'ASSESSED',
        source: 'PCP_PHASE',
        reason: 'Objectives missed',
      },
      reason: 'Objectives missed',
    });
    const { data } = events[0] as Extract<TenderEvent, { type: 'PhaseCompleted' }>;
    const withoutOrg = { ...data, results: data.results.map(({ supplierOrg: _s, ...r }) => r) };
    expect(published('PhaseCompleted', withoutOrg)).toEqual({ valid: true });
    given(accepted())
      .when(
        complete([
          result('ctr-1-bid-a', true),
          result('ctr-1-bid-b', true),
          result('ctr-1-bid-c', false),
        ]),
      )
      .thenState(expect.objectContaining({ status: 'PHASE_REVIEW', phase: 1 }));
  });

  it('needs a result for every contract of the phase, once each', () => {
    given(accepted())
      .when(complete([result('ctr-1-bid-a', true)]))
      .thenThrows(
        DomainRuleError,
        /Give a result for every contract of phase 1; missing: ctr-1-bid-b, ctr-1-bid-c/,
      );
    given(accepted())
      .when(
        complete([
          result('ctr-1-bid-a', true),
          result('ctr-1-bid-a', true),
          result('ctr-1-bid-b', true),
          result('ctr-1-bid-c', false),
        ]),
      )
      .thenThrows(DomainRuleError, /ctr-1-bid-a has two results/);
    given(accepted())
      .when(complete([result('ctr-9', true)]))
      .thenThrows(DomainRuleError, /"ctr-9" is not a contract of phase 1/);
  });

  it('needs a TRL from 1 to 9, a pass or fail and a reason per contract', () => {
    const others = [result('ctr-1-bid-b', true), result('ctr-1-bid-c', false)];
    given(accepted())
      .when(complete([{ ...result('ctr-1-bid-a', true), assessedTrl: 0 }, ...others]))
      .thenThrows(
        DomainRuleError,
        /assessed TRL of the contract ctr-1-bid-a must be a whole number from 1 to 9, not 0/,
      );
    given(accepted())
      .when(complete([{ ...result('ctr-1-bid-a', true), reason: '' }, ...others]))
      .thenThrows(
        DomainRuleError,
        /reason for the result of the contract ctr-1-bid-a must not be empty/,
      );
    given(accepted())
      .when(complete([{ ...result('ctr-1-bid-a', true), passed: 'yes' }, ...others]))
      .thenThrows(DomainRuleError, /Say whether the contract ctr-1-bid-a passed/);
  });

  it('lets a contract pass only with an accepted deliverable', () => {
    given(accepted())
      .when(
        complete([
          result('ctr-1-bid-a', true),
          result('ctr-1-bid-b', true),
          result('ctr-1-bid-c', true),
        ]),
      )
      .thenThrows(DomainRuleError, /ctr-1-bid-c has no accepted deliverable, so it cannot pass/);
  });

  it('completes the running phase only, by the contracting authority', () => {
    given(accepted())
      .when(complete([result('ctr-1-bid-a', true)], 2))
      .thenThrows(DomainRuleError, /Phase 1 is the running phase, not phase 2/);
    given(accepted())
      .when({ ...complete([result('ctr-1-bid-a', true)]), actorOrg: suppliers[0] } as TenderCommand)
      .thenThrows(NotOwnerError);
    given(pcpPhase1Reviewed())
      .when(complete([result('ctr-1-bid-a', true)]))
      .thenThrows(InvalidStateError, /Phase 1 is completed/);
  });
});

describe('down-selection', () => {
  it('moves suppliers who passed into the next phase, each with a new contract', () => {
    const [event] = tenderDecider.decide(downSelectInto2, stateOf(pcpPhase1Reviewed()));
    expect(event).toEqual({
      type: 'SuppliersDownSelected',
      data: {
        tenderId,
        fromPhase: 1,
        toPhase: 2,
        continued: [
          {
            contractId: 'ctr-2-bid-a',
            previousContractId: 'ctr-1-bid-a',
            innovationId: 'inno-bid-a',
            supplierOrg: suppliers[0],
          },
          {
            contractId: 'ctr-2-bid-b',
            previousContractId: 'ctr-1-bid-b',
            innovationId: 'inno-bid-b',
            supplierOrg: suppliers[1],
          },
        ],
        dropped: [{ contractId: 'ctr-1-bid-c', innovationId: 'inno-bid-c' }],
        reason: 'Both passed with designs worth prototyping',
        justification: null,
      },
      reason: 'Both passed with designs worth prototyping',
    });
    expect(published('SuppliersDownSelected', event.data)).toEqual({ valid: true });
    const state = stateOf(pcpInPhase2());
    expect(state).toMatchObject({ status: 'IN_PHASE', phase: 2 });
    expect(state.contracts.filter((c) => c.phase === 2)).toEqual([
      expect.objectContaining({
        contractId: 'ctr-2-bid-a',
        frameworkAgreementId: 'fa-bid-a',
        previousContractId: 'ctr-1-bid-a',
      }),
      expect.objectContaining({
        contractId: 'ctr-2-bid-b',
        frameworkAgreementId: 'fa-bid-b',
        previousContractId: 'ctr-1-bid-b',
      }),
    ]);
  });

  const selecting = (previous: string[], justification?: string): TenderCommand =>
    ({
      ...downSelectInto2,
      continuing: previous.map((p) => ({
        previousContractId: p,
        contractId: p.replace('ctr-1', 'ctr-2'),
      })),
      justification,
    }) as TenderCommand;

  it('refuses a supplier who failed the phase', () => {
    const error = given(pcpPhase1Reviewed())
      .when(selecting(['ctr-1-bid-a', 'ctr-1-bid-c']))
      .thenThrows(
        DomainRuleError,
        /ctr-1-bid-c did not pass the evaluation of phase 1; only suppliers who passed can go on/,
      );
    expect(error.code).toBe('CONTRACT_NOT_PASSED');
  });

  it('refuses contracts that are not of the phase just completed', () => {
    given(pcpPhase1Reviewed())
      .when(selecting(['ctr-1-bid-a', 'ctr-7']))
      .thenThrows(DomainRuleError, /ctr-7 is not a contract of phase 1/);
    given(pcpPhase1Reviewed())
      .when(selecting(['ctr-1-bid-a', 'ctr-1-bid-a']))
      .thenThrows(DomainRuleError, /names ctr-1-bid-a twice/);
  });

  it('needs a justification below 2 suppliers', () => {
    given(pcpPhase1Reviewed())
      .when(selecting(['ctr-1-bid-a']))
      .thenThrows(
        DomainRuleError,
        /Only 1 supplier goes on into phase 2, which leaves no competition; give a justification/,
      );
    const [event] = tenderDecider.decide(
      selecting(['ctr-1-bid-a'], 'bid-b withdrew from the market'),
      stateOf(pcpPhase1Reviewed()),
    );
    expect(event.data).toMatchObject({
      justification: 'bid-b withdrew from the market',
      dropped: [
        { contractId: 'ctr-1-bid-b', innovationId: 'inno-bid-b' },
        { contractId: 'ctr-1-bid-c', innovationId: 'inno-bid-c' },
      ],
    });
  });

  it('never takes more suppliers than the next phase allows', () => {
    const reviewed2 = story(
      [
        ...deliverAndAccept('ctr-2-bid-a', suppliers[0]),
        ...deliverAndAccept('ctr-2-bid-b', suppliers[1]),
        complete([result('ctr-2-bid-a', true), result('ctr-2-bid-b', true)], 2),
      ],
      pcpInPhase2(),
    );
    const state = stateOf(reviewed2);
    const narrowed = {
      ...state,
      terms: {
        ...(state.terms as NonNullable<typeof state.terms>),
        phases: (state.terms as NonNullable<typeof state.terms>).phases.map((p) =>
          p.number === 3 ? { ...p, maxSuppliers: 1 } : p,
        ),
      },
    };
    const into3: TenderCommand = {
      type: 'DownSelectSuppliers',
      actorOrg: procurer,
      toPhase: 3,
      continuing: [
        { previousContractId: 'ctr-2-bid-a', contractId: 'ctr-3-bid-a' },
        { previousContractId: 'ctr-2-bid-b', contractId: 'ctr-3-bid-b' },
      ],
      reason: 'Both prototypes validated',
    };
    expect(() => tenderDecider.decide(into3, narrowed)).toThrow(
      /Phase 3 takes at most 1 supplier\(s\) \(its maximum is 1, phase 2 had 2\); 2 were chosen/,
    );
    expect(tenderDecider.decide(into3, state)).toHaveLength(1);
  });

  it('needs at least one supplier, the next phase number, a reason and unused contract ids', () => {
    given(pcpPhase1Reviewed())
      .when(selecting([]))
      .thenThrows(DomainRuleError, /at least one contract .* cancel the tender/);
    given(pcpPhase1Reviewed())
      .when({ ...selecting(['ctr-1-bid-a', 'ctr-1-bid-b']), toPhase: 3 } as TenderCommand)
      .thenThrows(DomainRuleError, /down-selected into phase 2, not 3/);
    given(pcpPhase1Reviewed())
      .when({ ...selecting(['ctr-1-bid-a', 'ctr-1-bid-b']), reason: ' ' } as TenderCommand)
      .thenThrows(DomainRuleError, /reason for the down-selection must not be empty/);
    given(pcpPhase1Reviewed())
      .when({
        ...downSelectInto2,
        continuing: [
          { previousContractId: 'ctr-1-bid-a', contractId: 'ctr-1-bid-c' },
          { previousContractId: 'ctr-1-bid-b', contractId: 'ctr-2-b' },
        ],
      } as TenderCommand)
      .thenThrows(DomainRuleError, /contract id ctr-1-bid-c is already used/);
  });

  it('follows a completed phase only', () => {
    given(pcpAwarded())
      .when(downSelectInto2)
      .thenThrows(InvalidStateError, /Complete phase 1 with its results before down-selecting/);
    given(pcpInPhase2())
      .when(downSelectInto2)
      .thenThrows(InvalidStateError, /Complete phase 2/);
  });

  it('does not exist in a PPI call', () => {
    given(ppiStory('awarded'))
      .when({ ...downSelectInto2, toPhase: 2 } as TenderCommand)
      .thenThrows(DomainRuleError, /PPI call has one award phase/);
  });
});

describe('completing the tender', () => {
  it('completes a PCP call with its last phase', () => {
    const events = pcpCompleted();
    expect(events.slice(-4).map((e) => e.type)).toEqual([
      'PhaseCompleted',
      'TrlAssessedInPhase',
      'TrlAssessedInPhase',
      'TenderCompleted',
    ]);
    const last = events[events.length - 1];
    expect(last.data).toEqual({ tenderId, org: procurer, procedure: 'PCP' });
    expect(published('TenderCompleted', last.data)).toEqual({ valid: true });
    expect(stateOf(events)).toMatchObject({ status: 'COMPLETED', phase: 3 });
  });

  it('completes a PPI call with its single phase, assessing TRL as a PPI contract', () => {
    const events = ppiStory('completed');
    expect(events.slice(-4).map((e) => e.type)).toEqual([
      'PhaseCompleted',
      'TrlAssessedInPhase',
      'TrlAssessedInPhase',
      'TenderCompleted',
    ]);
    expect(events[events.length - 2].data).toMatchObject({
      source: 'PPI_CONTRACT',
      trl: 8,
      innovationId: 'inno-bid-p3',
    });
    expect(stateOf(events).status).toBe('COMPLETED');
  });

  it('refuses everything but reading once completed', () => {
    given(pcpCompleted())
      .when({ type: 'CancelTender', actorOrg: procurer, reason: 'Too late' })
      .thenThrows(InvalidStateError, /already completed/);
    given(pcpCompleted())
      .when(downSelectInto2)
      .thenThrows(InvalidStateError, /completed; down-selection follows a completed phase/);
  });

  it('can be cancelled with a reason during a phase', () => {
    given(pcpInPhase2())
      .when({ type: 'CancelTender', actorOrg: procurer, reason: 'Funding body withdrew' })
      .thenState(expect.objectContaining({ status: 'CANCELLED', phase: 2 }));
  });
});
