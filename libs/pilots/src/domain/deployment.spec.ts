import { DomainRuleError, InvalidStateError } from '@pcp/eventsourcing';
import { DeploymentDecidedEvent, integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  assessed,
  completed,
  completedAtTrl8,
  evaluatorsAssigned,
  hospital,
  innovationId,
  measurements,
  phaseTrl,
  pilotId,
  planned,
  procurer,
  started,
  supplier,
  type CommandOf,
} from './__fixtures__/pilot-history';
import { NotOwnerError } from './errors';
import { pilotDecider, type PilotEvent } from './pilot';

const given = DeciderSpecification.for(pilotDecider);

const decidedAt = new Date('2027-09-01T10:00:00.000Z');
const decide: CommandOf<'DecideDeployment'> = {
  type: 'DecideDeployment',
  actorOrg: procurer,
  deploy: true,
  reason: 'Pilot succeeded; reimbursement agreed with the regional payer',
  sites: ['ES11', 'tb-chuac'],
  siteTestbeds: [hospital],
  knownTrl: phaseTrl,
  now: decidedAt,
};
const decided: PilotEvent = {
  type: 'DeploymentDecided',
  data: {
    pilotId,
    innovationId,
    deploy: true,
    assessedTrl: 8,
    sites: ['ES11', 'tb-chuac'],
    reason: 'Pilot succeeded; reimbursement agreed with the regional payer',
    decidedAt: decidedAt.toISOString(),
    siteDetails: [
      { site: 'ES11', kind: 'REGION', region: 'ES11' },
      { site: 'tb-chuac', kind: 'TESTBED', region: 'ES11' },
    ],
  },
  reason: 'Pilot succeeded; reimbursement agreed with the regional payer',
};
const declined: PilotEvent = {
  type: 'DeploymentDecided',
  data: {
    pilotId,
    innovationId,
    deploy: false,
    assessedTrl: 8,
    sites: [],
    reason: 'No reimbursement route yet',
    decidedAt: decidedAt.toISOString(),
    siteDetails: [],
  },
  reason: 'No reimbursement route yet',
};

describe('deciding on deployment', () => {
  it('decides to deploy a completed pilot at an assessed TRL of 8, with the roll-out sites and the reason', () => {
    given(completedAtTrl8).when(decide).then([decided]);
    given(completedAtTrl8)
      .when(decide)
      .thenState(
        expect.objectContaining({
          status: 'COMPLETED',
          deployment: {
            deploy: true,
            sites: ['ES11', 'tb-chuac'],
            decidedAt: decidedAt.toISOString(),
          },
        }),
      );
  });

  it('publishes a payload the DeploymentDecided schema accepts', () => {
    const declared = Object.keys(DeploymentDecidedEvent.schema['properties'] as object);
    for (const event of [decided, declined]) {
      const published = Object.fromEntries(
        Object.entries(event.data).filter(([k]) => declared.includes(k)),
      );
      expect(integrationEvents.check(DeploymentDecidedEvent, published)).toEqual({ valid: true });
    }
  });

  it('decides not to deploy, with a reason, at any TRL', () => {
    given(completedAtTrl8)
      .when({ ...decide, deploy: false, sites: undefined, reason: 'No reimbursement route yet' })
      .then([declined]);
    const atTrl7 = [planned, evaluatorsAssigned, started, ...measurements, completed];
    given(atTrl7)
      .when({ ...decide, deploy: false, sites: [], reason: 'Not mature' })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ deploy: false, assessedTrl: 7 }),
        }),
      ]);
  });

  it('is refused before the pilot is completed (a state error)', () => {
    const error = given([
      planned,
      evaluatorsAssigned,
      started,
      ...measurements,
      assessed(8, '2027-07-05T10:00:00.000Z', 7),
    ])
      .when(decide)
      .thenThrows(
        InvalidStateError,
        'Deployment is decided once the pilot is completed; it is running',
      );
    expect(error.code).toBe('PILOT_NOT_COMPLETED');
    given([planned])
      .when({ ...decide, deploy: false, sites: [] })
      .thenThrows(InvalidStateError, /it is planned/);
  });

  it('refuses to deploy below an assessed TRL of 8 (a rule error)', () => {
    const atTrl7 = [planned, evaluatorsAssigned, started, ...measurements, completed];
    const error = given(atTrl7)
      .when(decide)
      .thenThrows(
        DomainRuleError,
        'Deployment needs an assessed TRL of 8 or more; the innovation inno-4c6e has an assessed TRL of 7 (tender-91b0:phase-2). Have an assigned evaluator assess it first, or decide not to deploy',
      );
    expect(error.code).toBe('TRL_TOO_LOW_FOR_DEPLOYMENT');
    expect(error.details).toEqual({ innovationId, assessedTrl: 7, required: 8 });
    given(atTrl7)
      .when({ ...decide, knownTrl: null })
      .thenThrows(DomainRuleError, /the innovation inno-4c6e has no assessed TRL\./);
  });

  it('takes the latest assessment: a later downgrade elsewhere blocks deployment', () => {
    const laterElsewhere = { trl: 6, assessedAt: '2027-08-01T10:00:00.000Z', source: 'pilot-77aa' };
    given(completedAtTrl8)
      .when({ ...decide, knownTrl: laterElsewhere })
      .thenThrows(DomainRuleError, /has an assessed TRL of 6 \(pilot-77aa\)/);
    const laterNine = { ...laterElsewhere, trl: 9 };
    given(completedAtTrl8)
      .when({ ...decide, knownTrl: laterNine })
      .then([{ ...decided, data: { ...decided.data, assessedTrl: 9 } } as PilotEvent]);
  });

  it('is decided once', () => {
    const error = given([...completedAtTrl8, decided])
      .when({ ...decide, deploy: false, sites: [] })
      .thenThrows(
        InvalidStateError,
        'Deployment is already decided (deploy); it is decided once. Record further sites as roll-outs',
      );
    expect(error.code).toBe('DEPLOYMENT_ALREADY_DECIDED');
  });

  it('needs a reason and a yes or no', () => {
    given(completedAtTrl8)
      .when({ ...decide, reason: '' })
      .thenThrows(DomainRuleError, 'The reason must not be empty');
    given(completedAtTrl8)
      .when({ ...decide, deploy: 'yes' as unknown as boolean })
      .thenThrows(DomainRuleError, 'Say whether to deploy: deploy is true or false');
  });

  it('takes regions and registered testbeds as sites, each once', () => {
    given(completedAtTrl8)
      .when({ ...decide, sites: ['ES22', 'tb-chuac', 'ES22'] })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({
            sites: ['ES22', 'tb-chuac'],
            siteDetails: [
              { site: 'ES22', kind: 'REGION', region: 'ES22' },
              { site: 'tb-chuac', kind: 'TESTBED', region: 'ES11' },
            ],
          }),
        }),
      ]);
    given(completedAtTrl8)
      .when({ ...decide, sites: undefined })
      .then([
        expect.objectContaining({ data: expect.objectContaining({ sites: [], siteDetails: [] }) }),
      ]);
  });

  it('refuses a site that is neither a region nor a registered testbed', () => {
    const error = given(completedAtTrl8)
      .when({ ...decide, sites: ['ES11', 'tb-unknown'] })
      .thenThrows(
        DomainRuleError,
        'The site "tb-unknown" is neither a NUTS 2021 region code (such as ES11) nor a registered testbed',
      );
    expect(error.code).toBe('UNKNOWN_SITE');
  });

  it('refuses roll-out sites on a decision not to deploy', () => {
    const error = given(completedAtTrl8)
      .when({ ...decide, deploy: false })
      .thenThrows(DomainRuleError, /Roll-out sites go with a decision to deploy/);
    expect(error.code).toBe('SITES_WITHOUT_DEPLOYMENT');
  });

  it('is for the procurer running the pilot only', () => {
    given(completedAtTrl8)
      .when({ ...decide, actorOrg: supplier })
      .thenThrows(NotOwnerError, /can decide on deployment/);
  });
});

describe('recording the roll-out (scale-up)', () => {
  const roll: CommandOf<'RecordRollout'> = {
    type: 'RecordRollout',
    actorOrg: procurer,
    site: 'ES22',
    at: '2027-10-01T09:00:00+02:00',
    reason: 'Navarra joins through the buyers group',
    now: new Date('2027-10-02T09:00:00Z'),
  };
  const rolledOut: PilotEvent = {
    type: 'RolloutRecorded',
    data: {
      pilotId,
      innovationId,
      site: 'ES22',
      kind: 'REGION',
      region: 'ES22',
      at: '2027-10-01T09:00:00+02:00',
      reason: 'Navarra joins through the buyers group',
    },
    reason: 'Navarra joins through the buyers group',
  };
  const deployed = [...completedAtTrl8, decided];

  it('records a further region after a decision to deploy', () => {
    given(deployed).when(roll).then([rolledOut]);
    given(deployed)
      .when(roll)
      .thenState(
        expect.objectContaining({ rollouts: [{ site: 'ES22', kind: 'REGION', region: 'ES22' }] }),
      );
  });

  it('records a registered testbed in its region, and a site of the decision itself; the reason is optional', () => {
    given(deployed)
      .when({ ...roll, site: 'tb-chuac', siteTestbed: hospital, region: 'ES11', reason: undefined })
      .then([
        {
          type: 'RolloutRecorded',
          data: {
            pilotId,
            innovationId,
            site: 'tb-chuac',
            kind: 'TESTBED',
            region: 'ES11',
            at: '2027-10-01T09:00:00+02:00',
            reason: null,
          },
        },
      ]);
  });

  it("refuses a region that is not the site's own", () => {
    const error = given(deployed)
      .when({ ...roll, site: 'tb-chuac', siteTestbed: hospital, region: 'ES22' })
      .thenThrows(
        DomainRuleError,
        `The site tb-chuac is in ES11, not "ES22"; leave the region out or give the site's own`,
      );
    expect(error.code).toBe('REGION_MISMATCH');
  });

  it('refuses an unknown site', () => {
    given(deployed)
      .when({ ...roll, site: 'Navarra' })
      .thenThrows(DomainRuleError, /The site "Navarra" is neither a NUTS 2021 region code/);
  });

  it('records each site once', () => {
    const error = given([...deployed, rolledOut])
      .when(roll)
      .thenThrows(InvalidStateError, 'The roll-out to ES22 is already recorded');
    expect(error.code).toBe('ALREADY_ROLLED_OUT');
  });

  it('needs a decision to deploy first', () => {
    const none = given(completedAtTrl8)
      .when(roll)
      .thenThrows(
        InvalidStateError,
        'Roll-outs follow a decision to deploy; decide on deployment first',
      );
    expect(none.code).toBe('NO_DEPLOYMENT_DECISION');
    const no = given([...completedAtTrl8, declined])
      .when(roll)
      .thenThrows(
        InvalidStateError,
        'The decision was not to deploy this innovation; there is nothing to roll out',
      );
    expect(no.code).toBe('NOT_DEPLOYED');
  });

  it('takes a time after the decision and not in the future', () => {
    const before = given(deployed)
      .when({ ...roll, at: '2027-08-31T10:00:00Z' })
      .thenThrows(
        DomainRuleError,
        'The roll-out time 2027-08-31T10:00:00Z is before the deployment decision of 2027-09-01T10:00:00.000Z; a roll-out follows the decision',
      );
    expect(before.code).toBe('ROLLOUT_BEFORE_DECISION');
    given(deployed)
      .when({ ...roll, at: '2027-12-01T09:00:00Z' })
      .thenThrows(DomainRuleError, /is in the future; record it once it has happened/);
    given(deployed)
      .when({ ...roll, at: 'soon' })
      .thenThrows(DomainRuleError, /The roll-out time \(at\) must be an ISO 8601 time/);
  });

  it('is for the procurer running the pilot only', () => {
    given(deployed)
      .when({ ...roll, actorOrg: supplier })
      .thenThrows(NotOwnerError, /can record its roll-out/);
  });
});
