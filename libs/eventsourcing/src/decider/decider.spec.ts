import { DeciderSpecification } from '@pcp/testing';
import { fold } from './decider';
import { DomainRuleError, InvalidStateError, NotFoundError } from './errors';
import { pilotDecider, type PilotEvent } from './__fixtures__/pilot-decider';

const given = DeciderSpecification.for(pilotDecider);

const planned: PilotEvent = {
  type: 'PilotPlanned',
  data: { title: 'Remote ECG', kpis: ['readmissions'] },
};
const started: PilotEvent = { type: 'PilotStarted', data: {} };

describe('decider given/when/then', () => {
  it('records the first event of a new aggregate', () => {
    given([])
      .when({ type: 'PlanPilot', title: 'Remote ECG', kpis: ['readmissions'] })
      .then([planned]);
  });

  it('decides against the state folded from past events', () => {
    given([planned, started])
      .when({ type: 'RecordMeasurement', kpi: 'readmissions', value: 12 })
      .then([{ type: 'MeasurementRecorded', data: { kpi: 'readmissions', value: 12 } }]);
  });

  it('carries the reason on the event when the rule asks for one', () => {
    given([planned, started])
      .when({ type: 'CompletePilot', reason: 'targets met' })
      .then([{ type: 'PilotCompleted', data: { measurements: 0 }, reason: 'targets met' }]);
  });

  it('records nothing for a command that is already satisfied', () => {
    given([planned, started]).when({ type: 'StartPilot' }).thenNothingHappens();
  });

  it('refuses a command on an aggregate that does not exist', () => {
    given([])
      .when({ type: 'StartPilot' })
      .thenThrows(NotFoundError, /No such pilot/);
  });

  it('refuses a command in the wrong state', () => {
    given([planned])
      .when({ type: 'RecordMeasurement', kpi: 'readmissions', value: 1 })
      .thenThrows(InvalidStateError);
  });

  it('refuses a command that breaks a rule, with a code and details', () => {
    const error = given([planned, started])
      .when({ type: 'RecordMeasurement', kpi: 'waiting time', value: 1 })
      .thenThrows(DomainRuleError);
    expect(error.code).toBe('UNKNOWN_KPI');
    expect(error.details).toEqual({ kpis: ['readmissions'] });
    expect(error.name).toBe('DomainRuleError');
  });

  it('folds the command events into the state', () => {
    given([planned, started])
      .when({ type: 'CompletePilot', reason: 'done' })
      .thenState({ status: 'COMPLETED', kpis: ['readmissions'], measurements: 0 });
  });

  it('fold starts from the initial state', () => {
    expect(fold(pilotDecider, [])).toEqual(pilotDecider.initialState());
    expect(fold(pilotDecider, [planned, started]).status).toBe('RUNNING');
  });
});
