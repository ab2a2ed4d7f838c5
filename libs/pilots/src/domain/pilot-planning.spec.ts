import { DomainRuleError, InvalidStateError } from '@pcp/eventsourcing';
import { PilotPlannedEvent, integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  contract,
  hospital,
  livingLab,
  phaseTrl,
  plan,
  planned,
  plannedData,
  procurer,
  supplier,
} from './__fixtures__/pilot-history';
import { NotOwnerError } from './errors';
import { pilotDecider, type PilotEvent } from './pilot';

const given = DeciderSpecification.for(pilotDecider);

describe('planning a pilot', () => {
  it('plans a pilot of a last-phase PCP contract on a living lab, with KPIs, dates and the TRL it relied on', () => {
    given([]).when(plan).then([planned]);
    given([])
      .when(plan)
      .thenState(
        expect.objectContaining({
          status: 'PLANNED',
          plan: plannedData,
          evaluators: [],
          measurements: [],
        }),
      );
  });

  it('publishes a payload the PilotPlanned schema accepts', () => {
    const [event] = pilotDecider.decide(plan, pilotDecider.initialState());
    const published = Object.fromEntries(
      Object.entries(event.data).filter(([k]) =>
        Object.keys(PilotPlannedEvent.schema['properties'] as object).includes(k),
      ),
    );
    expect(integrationEvents.check(PilotPlannedEvent, published)).toEqual({ valid: true });
  });

  it('plans a pilot of a PPI contract on a hospital, with no assessed TRL needed', () => {
    const ppi = { ...contract, procedure: 'PPI' as const, phase: 1, isLastPhase: true };
    given([])
      .when({ ...plan, contract: ppi, testbedId: 'tb-chuac', testbed: hospital, knownTrl: null })
      .then([
        {
          type: 'PilotPlanned',
          data: {
            ...plannedData,
            testbedId: 'tb-chuac',
            procedure: 'PPI',
            phase: 1,
            testbedType: 'HOSPITAL',
            trlAtPlanning: null,
          },
        },
      ]);
  });

  it('accepts a contract whose last phase has already passed', () => {
    given([])
      .when({ ...plan, contract: { ...contract, status: 'COMPLETED' } })
      .then([planned]);
  });

  it('refuses a contract it does not know as a last-phase PCP or PPI contract', () => {
    const error = given([])
      .when({ ...plan, contract: undefined })
      .thenThrows(
        DomainRuleError,
        'The contract ctr-3a is not known as a last-phase PCP or PPI contract; pilots are planned for one of those',
      );
    expect(error.code).toBe('UNKNOWN_CONTRACT');
    given([])
      .when({ ...plan, contractId: 'ctr-other' })
      .thenThrows(DomainRuleError, /ctr-other is not known as a last-phase PCP or PPI contract/);
  });

  it('refuses a contract of an earlier PCP phase', () => {
    const error = given([])
      .when({ ...plan, contract: { ...contract, phase: 2, isLastPhase: false } })
      .thenThrows(
        DomainRuleError,
        /is for PCP phase 2, not the last phase; pilots are for contracts of the last phase \(original development and field testing\) or PPI contracts/,
      );
    expect(error.code).toBe('NOT_LAST_PHASE');
  });

  it('refuses a contract that ended without passing', () => {
    const error = given([])
      .when({ ...plan, contract: { ...contract, status: 'TERMINATED' } })
      .thenThrows(DomainRuleError, /has ended without passing/);
    expect(error.code).toBe('CONTRACT_TERMINATED');
  });

  it('is for procurers of the organisation that runs the tender only', () => {
    const error = given([])
      .when({ ...plan, actorOrg: supplier })
      .thenThrows(
        NotOwnerError,
        'Only procurers of org-sergas, the organisation that runs the tender of contract ctr-3a, can plan its pilots',
      );
    expect(error).toMatchObject({ status: 403, code: 'NOT_OWNER' });
  });

  it('refuses a testbed that is not registered', () => {
    const error = given([])
      .when({ ...plan, testbed: undefined })
      .thenThrows(DomainRuleError, /No testbed is registered with the id tb-ourense/);
    expect(error.code).toBe('UNKNOWN_TESTBED');
    given([])
      .when({ ...plan, testbedId: 'tb-other' })
      .thenThrows(DomainRuleError, /No testbed is registered with the id tb-other/);
  });

  describe('on a living lab', () => {
    it('accepts an assessed TRL of 7 or more', () => {
      given([])
        .when({ ...plan, knownTrl: { ...phaseTrl, trl: 9 } })
        .then([{ ...planned, data: { ...plannedData, trlAtPlanning: 9 } } as PilotEvent]);
    });

    it('refuses an assessed TRL below 7', () => {
      const error = given([])
        .when({ ...plan, knownTrl: { ...phaseTrl, trl: 6 } })
        .thenThrows(
          DomainRuleError,
          'Living-lab pilots need an assessed TRL of 7 or more at entry; the innovation inno-4c6e has an assessed TRL of 6. Choose another kind of testbed or have the TRL assessed first',
        );
      expect(error.code).toBe('TRL_TOO_LOW_FOR_LIVING_LAB');
      expect(error.details).toEqual({ innovationId: 'inno-4c6e', assessedTrl: 6, required: 7 });
    });

    it('refuses an innovation without an assessed TRL', () => {
      given([])
        .when({ ...plan, knownTrl: null })
        .thenThrows(DomainRuleError, /the innovation inno-4c6e has no assessed TRL yet/);
    });
  });

  describe('testbed capacity', () => {
    it('accepts a pilot while places are free', () => {
      given([])
        .when({ ...plan, activePilotsAtTestbed: 5 })
        .then([planned]);
    });

    it('refuses a pilot when the planned and running pilots fill the testbed', () => {
      const error = given([])
        .when({ ...plan, activePilotsAtTestbed: 6 })
        .thenThrows(
          DomainRuleError,
          'The testbed tb-ourense hosts at most 6 pilots at once and has 6 planned or running; choose another testbed or wait until one completes',
        );
      expect(error.code).toBe('TESTBED_FULL');
    });

    it('has no limit on a testbed without a capacity', () => {
      given([])
        .when({ ...plan, testbedId: 'tb-chuac', testbed: hospital, activePilotsAtTestbed: 40 })
        .then([
          {
            type: 'PilotPlanned',
            data: { ...plannedData, testbedId: 'tb-chuac', testbedType: 'HOSPITAL' },
          },
        ]);
    });
  });

  it('needs a title and a start before the end, as ISO times with an offset', () => {
    given([])
      .when({ ...plan, title: '' })
      .thenThrows(DomainRuleError, 'The title must not be empty');
    const error = given([])
      .when({ ...plan, endsAt: '2027-01-10T07:00:00Z' })
      .thenThrows(
        DomainRuleError,
        'The pilot must end after it starts; endsAt 2027-01-10T07:00:00Z is not after startsAt 2027-01-10T08:00:00+01:00',
      );
    expect(error.code).toBe('ENDS_BEFORE_START');
    given([])
      .when({ ...plan, startsAt: '2027-02-30T08:00:00+01:00' })
      .thenThrows(
        DomainRuleError,
        /The start \(startsAt\) must be an ISO 8601 time with an offset/,
      );
    given([])
      .when({ ...plan, endsAt: '2027-07-10' })
      .thenThrows(DomainRuleError, /The end \(endsAt\) must be an ISO 8601 time/);
  });

  describe('KPIs', () => {
    const kpi = plan.kpis[0];

    it('needs at least one', () => {
      const error = given([])
        .when({ ...plan, kpis: [] })
        .thenThrows(
          DomainRuleError,
          'A pilot needs at least one KPI with a name, a unit, a target and a direction',
        );
      expect(error.code).toBe('KPIS_REQUIRED');
    });

    it('needs unique names, whatever their case', () => {
      const error = given([])
        .when({ ...plan, kpis: [kpi, { ...kpi, name: 'Time_To_Antibiotics' }] })
        .thenThrows(
          DomainRuleError,
          'Two KPIs are named "Time_To_Antibiotics"; give each KPI its own name',
        );
      expect(error.code).toBe('DUPLICATE_KPI');
    });

    it('needs a name, a unit, a numeric target and a direction', () => {
      given([])
        .when({ ...plan, kpis: [{ ...kpi, name: ' ' }] })
        .thenThrows(DomainRuleError, 'The name of KPI 1 must not be empty');
      given([])
        .when({ ...plan, kpis: [{ ...kpi, unit: '' }] })
        .thenThrows(DomainRuleError, 'The unit of KPI time_to_antibiotics must not be empty');
      for (const target of [Number.NaN, Number.POSITIVE_INFINITY, '60' as unknown as number]) {
        const error = given([])
          .when({ ...plan, kpis: [{ ...kpi, target }] })
          .thenThrows(DomainRuleError, /The target of KPI time_to_antibiotics must be a number/);
        expect(error.code).toBe('INVALID_TARGET');
      }
      const error = given([])
        .when({ ...plan, kpis: [{ ...kpi, direction: 'DOWN' }] })
        .thenThrows(
          DomainRuleError,
          'The direction of KPI time_to_antibiotics must be HIGHER_IS_BETTER or LOWER_IS_BETTER, not "DOWN"',
        );
      expect(error.code).toBe('INVALID_DIRECTION');
    });

    it('keeps a target of zero and negative targets', () => {
      const [event] = pilotDecider.decide(
        {
          ...plan,
          kpis: [
            { ...kpi, target: 0 },
            { ...kpi, name: 'net_cost', target: -5 },
          ],
        },
        pilotDecider.initialState(),
      );
      expect((event.data as typeof plannedData).kpis.map((k) => k.target)).toEqual([0, -5]);
    });
  });

  it('plans a pilot once', () => {
    given([planned])
      .when(plan)
      .thenThrows(InvalidStateError, 'The pilot pilot-0c3f is already planned');
  });

  it('takes the organisation running the pilot from the contract, not from the testbed', () => {
    const elsewhere = { ...livingLab, org: 'org-living-lab-operator' };
    const [event] = pilotDecider.decide(
      { ...plan, testbed: elsewhere },
      pilotDecider.initialState(),
    );
    expect(event.data).toMatchObject({ org: procurer, supplierOrg: supplier });
  });
});
