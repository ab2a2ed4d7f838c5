import { DomainRuleError, InvalidStateError, NotFoundError } from '@pcp/eventsourcing';
import {
  PilotCompletedEvent,
  PilotStartedEvent,
  integrationEvents,
  type IntegrationEventDefinition,
} from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  afterwards,
  completed,
  completedAt,
  during,
  evaluator,
  evaluatorsAssigned,
  measured,
  measurements,
  pilotId,
  planned,
  procurer,
  started,
  startedAt,
  supplier,
  type CommandOf,
} from './__fixtures__/pilot-history';
import { NotOwnerError } from './errors';
import { pilotDecider, type PilotEvent } from './pilot';

const given = DeciderSpecification.for(pilotDecider);

/** The event's data with only the fields the integration event declares, checked against its schema. */
function publishable(definition: IntegrationEventDefinition, data: object) {
  const declared = Object.keys(definition.schema['properties'] as object);
  return integrationEvents.check(
    definition,
    Object.fromEntries(Object.entries(data).filter(([k]) => declared.includes(k))),
  );
}

describe('assigning evaluators', () => {
  const assign: CommandOf<'AssignPilotEvaluators'> = {
    type: 'AssignPilotEvaluators',
    actorOrg: procurer,
    evaluatorIds: [evaluator],
  };

  it('assigns user ids as evaluators of the pilot', () => {
    given([planned]).when(assign).then([evaluatorsAssigned]);
    given([planned])
      .when(assign)
      .thenState(expect.objectContaining({ evaluators: [evaluator] }));
  });

  it('adds to those assigned, keeping each once, in any state after planning', () => {
    given([planned, evaluatorsAssigned, started, completed])
      .when({ ...assign, evaluatorIds: ['user-eval-30', evaluator, 'user-eval-30'] })
      .then([
        {
          type: 'PilotEvaluatorsAssigned',
          data: {
            pilotId,
            evaluatorIds: ['user-eval-30'],
            evaluators: [evaluator, 'user-eval-30'],
          },
        },
      ]);
  });

  it('records nothing when everyone named is already assigned', () => {
    given([planned, evaluatorsAssigned]).when(assign).thenNothingHappens();
  });

  it('needs at least one evaluator, each a valid user id', () => {
    const error = given([planned])
      .when({ ...assign, evaluatorIds: [] })
      .thenThrows(DomainRuleError, 'Name at least one evaluator (user id) to assign');
    expect(error.code).toBe('EVALUATORS_REQUIRED');
    given([planned])
      .when({ ...assign, evaluatorIds: ['Dr. Ana García'] })
      .thenThrows(DomainRuleError, /The evaluator id "Dr. Ana García" is not a valid id/);
  });

  it('is for the procurer running the pilot only', () => {
    given([planned])
      .when({ ...assign, actorOrg: supplier })
      .thenThrows(
        NotOwnerError,
        'Only procurers of org-sergas, the organisation running this pilot, can assign its evaluators',
      );
  });

  it('refuses a pilot that does not exist', () => {
    const error = given([]).when(assign).thenThrows(NotFoundError, 'There is no such pilot');
    expect(error.code).toBe('PILOT_NOT_FOUND');
  });
});

describe('starting a pilot', () => {
  const start: CommandOf<'StartPilot'> = { type: 'StartPilot', actorOrg: procurer, now: startedAt };

  it('starts a planned pilot at the command time', () => {
    given([planned]).when(start).then([started]);
    given([planned])
      .when(start)
      .thenState(expect.objectContaining({ status: 'RUNNING' }));
    expect(publishable(PilotStartedEvent, started.data)).toEqual({ valid: true });
  });

  it('starts once', () => {
    const error = given([planned, started])
      .when(start)
      .thenThrows(InvalidStateError, 'The pilot is already running; it starts once');
    expect(error.code).toBe('ALREADY_STARTED');
    given([planned, started, completed])
      .when(start)
      .thenThrows(InvalidStateError, 'The pilot is already completed; it starts once');
  });

  it('is for the procurer running the pilot only', () => {
    given([planned])
      .when({ ...start, actorOrg: supplier })
      .thenThrows(NotOwnerError, /can start it/);
  });
});

describe('recording measurements', () => {
  const record: CommandOf<'RecordMeasurement'> = {
    type: 'RecordMeasurement',
    actorOrg: supplier,
    actorRoles: ['supplier'],
    measurementId: 'meas-9',
    kpi: 'sepsis_detected',
    value: 91.5,
    at: '2027-03-31T09:00:00+02:00',
    now: during,
  };

  it('records a value of a planned KPI, with its unit, from the contract holder', () => {
    given([planned, started])
      .when(record)
      .then([measured('meas-9', 'sepsis_detected', 91.5, '2027-03-31T09:00:00+02:00')]);
  });

  it('records from the procurer too', () => {
    given([planned, started])
      .when({
        ...record,
        actorOrg: procurer,
        actorRoles: ['procurer'],
        kpi: 'time_to_antibiotics',
        value: 0,
      })
      .then([measured('meas-9', 'time_to_antibiotics', 0, '2027-03-31T09:00:00+02:00', procurer)]);
  });

  it('refuses anyone else', () => {
    const error = given([planned, started])
      .when({ ...record, actorOrg: 'org-competitor' })
      .thenThrows(
        NotOwnerError,
        'Only procurers of org-sergas, the organisation running this pilot, and suppliers of org-medtech-sme, the contract holder, can record measurements',
      );
    expect(error.status).toBe(403);
  });

  it('refuses the right organisation in the other capacity', () => {
    // A supplier of the running organisation, a procurer of the contract holder.
    given([planned, started])
      .when({ ...record, actorOrg: procurer, actorRoles: ['supplier'] })
      .thenThrows(NotOwnerError, /can record measurements/);
    given([planned, started])
      .when({ ...record, actorOrg: supplier, actorRoles: ['procurer'] })
      .thenThrows(NotOwnerError, /can record measurements/);
    given([planned, started])
      .when({ ...record, actorOrg: supplier, actorRoles: ['evaluator', 'auditor'] })
      .thenThrows(NotOwnerError, /can record measurements/);
  });

  it('refuses a KPI that is not in the plan, naming those that are', () => {
    const error = given([planned, started])
      .when({ ...record, kpi: 'readmissions' })
      .thenThrows(
        DomainRuleError,
        '"readmissions" is not a KPI of this pilot; use one of time_to_antibiotics, sepsis_detected',
      );
    expect(error.code).toBe('UNKNOWN_KPI');
  });

  it('refuses a value that is not a number', () => {
    for (const value of [Number.NaN, '91' as unknown as number, null as unknown as number]) {
      const error = given([planned, started])
        .when({ ...record, value })
        .thenThrows(DomainRuleError, /The value of a measurement must be a number \(in %\)/);
      expect(error.code).toBe('INVALID_VALUE');
    }
  });

  it('accepts times at the edges of the pilot window and refuses times outside it', () => {
    given([planned, started])
      .when({ ...record, at: '2027-01-10T07:00:00Z' })
      .then([measured('meas-9', 'sepsis_detected', 91.5, '2027-01-10T07:00:00Z')]);
    const error = given([planned, started])
      .when({ ...record, at: '2027-01-10T06:59:59Z' })
      .thenThrows(
        DomainRuleError,
        'The measurement time 2027-01-10T06:59:59Z is outside the pilot, which runs from 2027-01-10T08:00:00+01:00 to 2027-07-10T08:00:00+02:00',
      );
    expect(error.code).toBe('OUTSIDE_PILOT_WINDOW');
    given([planned, started])
      .when({ ...record, at: '2027-07-10T08:00:01+02:00', now: afterwards })
      .thenThrows(DomainRuleError, /is outside the pilot/);
    given([planned, started])
      .when({ ...record, at: 'last tuesday' })
      .thenThrows(DomainRuleError, /The measurement time \(at\) must be an ISO 8601 time/);
  });

  it('refuses a time in the future, allowing a few minutes of clock difference', () => {
    given([planned, started])
      .when({ ...record, at: '2027-04-01T12:04:00Z' })
      .then([measured('meas-9', 'sepsis_detected', 91.5, '2027-04-01T12:04:00Z')]);
    const error = given([planned, started])
      .when({ ...record, at: '2027-04-02T12:00:00Z' })
      .thenThrows(
        DomainRuleError,
        'The measurement time (at) 2027-04-02T12:00:00Z is in the future; record it once it has happened',
      );
    expect(error.code).toBe('TIME_IN_FUTURE');
  });

  it('is accepted only while the pilot runs', () => {
    const before = given([planned])
      .when(record)
      .thenThrows(InvalidStateError, 'Measurements are recorded once the pilot has started');
    expect(before.code).toBe('PILOT_NOT_STARTED');
    const after = given([planned, started, completed])
      .when({ ...record, now: afterwards })
      .thenThrows(
        InvalidStateError,
        'The pilot is completed; measurements are recorded while it runs',
      );
    expect(after.code).toBe('PILOT_COMPLETED');
  });

  it('refuses a measurement id already recorded', () => {
    given([planned, started, ...measurements])
      .when({ ...record, measurementId: 'meas-2' })
      .thenThrows(InvalidStateError, 'A measurement with the id meas-2 is already recorded');
  });

  it('folds measurements into the state in order', () => {
    given([planned, started, ...measurements.slice(0, 3)])
      .when({ ...record, measurementId: 'meas-4', value: 88, at: '2027-03-01T10:00:00Z' })
      .thenState(
        expect.objectContaining({
          measurements: [
            {
              measurementId: 'meas-1',
              kpi: 'time_to_antibiotics',
              value: 75,
              at: '2027-02-01T10:00:00+01:00',
            },
            {
              measurementId: 'meas-2',
              kpi: 'sepsis_detected',
              value: 80,
              at: '2027-02-01T10:00:00+01:00',
            },
            {
              measurementId: 'meas-3',
              kpi: 'time_to_antibiotics',
              value: 52,
              at: '2027-06-01T10:00:00+02:00',
            },
            {
              measurementId: 'meas-4',
              kpi: 'sepsis_detected',
              value: 88,
              at: '2027-03-01T10:00:00Z',
            },
          ],
        }),
      );
  });
});

describe('reporting incidents', () => {
  const report: CommandOf<'ReportIncident'> = {
    type: 'ReportIncident',
    actorOrg: supplier,
    actorRoles: ['supplier'],
    incidentId: 'inc-1',
    severity: 'HIGH',
    description: 'Risk score unavailable for 40 minutes after an EHR gateway outage',
    now: during,
  };
  const reported = (
    severity = 'HIGH',
    incidentId = 'inc-1',
    reportedByOrg = supplier,
  ): PilotEvent =>
    ({
      type: 'IncidentReported',
      data: {
        pilotId,
        incidentId,
        severity,
        description: 'Risk score unavailable for 40 minutes after an EHR gateway outage',
        reportedAt: during.toISOString(),
        reportedByOrg,
      },
    }) as PilotEvent;

  it('records an incident with its severity from the contract holder or the procurer', () => {
    given([planned, started]).when(report).then([reported()]);
    given([planned, started])
      .when({ ...report, actorOrg: procurer, actorRoles: ['procurer'], severity: 'CRITICAL' })
      .then([reported('CRITICAL', 'inc-1', procurer)]);
  });

  it('refuses an unknown severity and an empty description', () => {
    const error = given([planned, started])
      .when({ ...report, severity: 'SEVERE' })
      .thenThrows(
        DomainRuleError,
        'The severity must be one of LOW, MEDIUM, HIGH, CRITICAL, not "SEVERE"',
      );
    expect(error.code).toBe('INVALID_SEVERITY');
    given([planned, started])
      .when({ ...report, description: '  ' })
      .thenThrows(DomainRuleError, 'The description must not be empty');
  });

  it('is accepted only while the pilot runs, from the two organisations, once per id', () => {
    given([planned])
      .when(report)
      .thenThrows(InvalidStateError, 'Incidents are reported once the pilot has started');
    given([planned, started, completed])
      .when(report)
      .thenThrows(
        InvalidStateError,
        /The pilot is completed; incidents are reported while it runs/,
      );
    given([planned, started])
      .when({ ...report, actorOrg: 'org-competitor' })
      .thenThrows(NotOwnerError, /can report incidents/);
    given([planned, started])
      .when({ ...report, actorOrg: procurer, actorRoles: ['supplier'] })
      .thenThrows(NotOwnerError, /can report incidents/);
    given([planned, started])
      .when({ ...report, actorOrg: supplier, actorRoles: ['procurer'] })
      .thenThrows(NotOwnerError, /can report incidents/);
    given([planned, started, reported()])
      .when(report)
      .thenThrows(InvalidStateError, 'An incident with the id inc-1 is already reported');
  });

  it('counts incidents by severity at completion, without changing the outcome', () => {
    given([
      planned,
      started,
      ...measurements,
      reported('CRITICAL', 'inc-1'),
      reported('LOW', 'inc-2'),
      reported('LOW', 'inc-3'),
    ])
      .when({
        type: 'CompletePilot',
        actorOrg: procurer,
        reason: 'All KPI targets met',
        now: new Date(completedAt),
      })
      .then([
        {
          ...completed,
          data: { ...completed.data, incidents: { LOW: 2, MEDIUM: 0, HIGH: 0, CRITICAL: 1 } },
        } as PilotEvent,
      ]);
  });
});

describe('completing a pilot', () => {
  const complete: CommandOf<'CompletePilot'> = {
    type: 'CompletePilot',
    actorOrg: procurer,
    reason: 'All KPI targets met',
    now: new Date(completedAt),
  };

  it('completes a running pilot with the outcome its KPI targets give, and the reason', () => {
    given([planned, started, ...measurements])
      .when(complete)
      .then([completed]);
    given([planned, started, ...measurements])
      .when(complete)
      .thenState(expect.objectContaining({ status: 'COMPLETED', outcome: 'SUCCESS' }));
    expect(publishable(PilotCompletedEvent, completed.data)).toEqual({ valid: true });
  });

  it('gives PARTIAL when some targets are met, on the latest measurement of each KPI', () => {
    const later = measured('meas-5', 'sepsis_detected', 82, '2027-06-20T10:00:00+02:00');
    const [event] = pilotDecider.decide(
      complete,
      [planned, started, ...measurements, later].reduce(
        pilotDecider.evolve,
        pilotDecider.initialState(),
      ),
    );
    expect(event.data).toMatchObject({
      outcome: 'PARTIAL',
      kpiResults: [
        { name: 'time_to_antibiotics', target: 60, actual: 52, met: true },
        { name: 'sepsis_detected', target: 85, actual: 82, met: false },
      ],
    });
  });

  it('gives FAILED when a KPI was never measured', () => {
    given([planned, started, measurements[2]])
      .when({ ...complete, reason: 'Detection rate was never measured' })
      .then([
        {
          type: 'PilotCompleted',
          data: {
            pilotId,
            innovationId: 'inno-4c6e',
            outcome: 'FAILED',
            kpiResults: [
              { name: 'time_to_antibiotics', target: 60, actual: 52, met: true },
              { name: 'sepsis_detected', target: 85, actual: null, met: false },
            ],
            reason: 'Detection rate was never measured',
            completedAt,
            incidents: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
          },
          reason: 'Detection rate was never measured',
        },
      ]);
  });

  it('needs a reason', () => {
    const error = given([planned, started, ...measurements])
      .when({ ...complete, reason: ' ' })
      .thenThrows(DomainRuleError, 'The reason must not be empty');
    expect(error.code).toBe('TEXT_REQUIRED');
  });

  it('completes a running pilot only, once', () => {
    given([planned])
      .when(complete)
      .thenThrows(InvalidStateError, 'Start the pilot before completing it');
    const error = given([planned, started, completed])
      .when(complete)
      .thenThrows(InvalidStateError, 'The pilot is already completed');
    expect(error.code).toBe('ALREADY_COMPLETED');
  });

  it('is for the procurer running the pilot only', () => {
    given([planned, started])
      .when({ ...complete, actorOrg: supplier })
      .thenThrows(NotOwnerError, /can complete it/);
  });
});
