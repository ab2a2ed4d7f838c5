import { DomainRuleError, InvalidStateError } from '@pcp/eventsourcing';
import { TrlAssessedEvent, integrationEvents } from '@pcp/contracts';
import { DeciderSpecification } from '@pcp/testing';
import {
  afterwards,
  assessed,
  completed,
  during,
  evaluator,
  evaluatorsAssigned,
  innovationId,
  measurements,
  phaseTrl,
  pilotId,
  planned,
  started,
  type CommandOf,
} from './__fixtures__/pilot-history';
import { NotAssignedEvaluatorError } from './errors';
import { pilotCurrentTrl, pilotDecider } from './pilot';

const given = DeciderSpecification.for(pilotDecider);
const running = [planned, evaluatorsAssigned, started, ...measurements];

const assess: CommandOf<'AssessTrl'> = {
  type: 'AssessTrl',
  actorUserId: evaluator,
  assessmentId: 'trl-1',
  trl: 8,
  evidence: ['meas-3', 'doc:validation-report-v2'],
  reason: 'System complete and qualified in the emergency department',
  knownTrl: phaseTrl,
  now: during,
};

describe('assessing the TRL in a pilot', () => {
  it('records the assessment with its evidence, the assessor, the previous TRL and the pilot as source', () => {
    given(running)
      .when(assess)
      .then([
        {
          type: 'TrlAssessed',
          data: {
            pilotId,
            innovationId,
            trl: 8,
            evidence: ['meas-3', 'doc:validation-report-v2'],
            reason: 'System complete and qualified in the emergency department',
            assessedBy: evaluator,
            assessmentId: 'trl-1',
            assessedAt: during.toISOString(),
            previousTrl: 7,
            downgrade: false,
          },
          reason: 'System complete and qualified in the emergency department',
        },
      ]);
  });

  it('publishes a payload the TrlAssessed schema accepts, downgrades included', () => {
    const declared = Object.keys(TrlAssessedEvent.schema['properties'] as object);
    const history = [...running, assessed(8, '2027-03-01T10:00:00.000Z', 7)];
    for (const command of [assess, { ...assess, trl: 6 }]) {
      const [event] = pilotDecider.decide(
        command,
        history.reduce(pilotDecider.evolve, pilotDecider.initialState()),
      );
      const published = Object.fromEntries(
        Object.entries(event.data).filter(([k]) => declared.includes(k)),
      );
      expect(published).toMatchObject({ previousTrl: 8, downgrade: command.trl < 8 });
      expect(integrationEvents.check(TrlAssessedEvent, published)).toEqual({ valid: true });
    }
  });

  it('cannot publish a downgrade without the TRL it comes down from', () => {
    const broken = { ...TrlAssessedEvent.example, trl: 6, previousTrl: null, downgrade: true };
    expect(integrationEvents.check(TrlAssessedEvent, broken).valid).toBe(false);
    expect(integrationEvents.check(TrlAssessedEvent, { ...broken, previousTrl: 8 })).toEqual({
      valid: true,
    });
  });

  it('marks a downgrade below the current TRL explicitly, with the reason that explains it', () => {
    given([...running, assessed(8, '2027-03-01T10:00:00.000Z', 7)])
      .when({ ...assess, trl: 6, reason: 'Alert fatigue: nurses override 40% of alerts' })
      .then([
        {
          type: 'TrlAssessed',
          data: expect.objectContaining({ trl: 6, previousTrl: 8, downgrade: true }),
          reason: 'Alert fatigue: nurses override 40% of alerts',
        },
      ]);
  });

  it('asks for the reason of a downgrade by name', () => {
    const error = given([...running, assessed(8, '2027-03-01T10:00:00.000Z', 7)])
      .when({ ...assess, trl: 6, reason: '' })
      .thenThrows(
        DomainRuleError,
        'The reason for the downgrade from TRL 8 to 6 must not be empty',
      );
    expect(error.code).toBe('TEXT_REQUIRED');
  });

  it('needs a reason for any assessment', () => {
    given(running)
      .when({ ...assess, reason: '   ' })
      .thenThrows(DomainRuleError, 'The reason must not be empty');
  });

  it('compares with the latest assessment, whether made in this pilot or known elsewhere', () => {
    // This pilot assessed 8 after the phase evaluation's 7: 7 is now a downgrade.
    given([...running, assessed(8, '2027-03-01T10:00:00.000Z', 7)])
      .when({ ...assess, trl: 7 })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ previousTrl: 8, downgrade: true }),
        }),
      ]);
    // Another pilot assessed 9 later still: 8 is a downgrade from 9.
    const otherPilot = { trl: 9, assessedAt: '2027-03-15T10:00:00.000Z', source: 'pilot-77aa' };
    given([...running, assessed(8, '2027-03-01T10:00:00.000Z', 7)])
      .when({ ...assess, knownTrl: otherPilot })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ previousTrl: 9, downgrade: true }),
        }),
      ]);
    // Confirming the same level is no downgrade.
    given(running)
      .when({ ...assess, trl: 7 })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ previousTrl: 7, downgrade: false }),
        }),
      ]);
    // Nothing assessed before: no previous TRL, no downgrade.
    given(running)
      .when({ ...assess, trl: 3, knownTrl: null })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ previousTrl: null, downgrade: false }),
        }),
      ]);
  });

  it("makes the assessment the innovation's current TRL", () => {
    const state = [...running, assessed(8, '2027-03-01T10:00:00.000Z', 7)].reduce(
      pilotDecider.evolve,
      pilotDecider.initialState(),
    );
    expect(pilotCurrentTrl(state, phaseTrl)).toEqual({
      trl: 8,
      assessedAt: '2027-03-01T10:00:00.000Z',
      source: pilotId,
    });
    expect(
      pilotCurrentTrl(state, { trl: 6, assessedAt: '2027-05-01T10:00:00Z', source: 'pilot-77aa' })
        ?.trl,
    ).toBe(6);
  });

  it('is for evaluators assigned to this pilot only', () => {
    const error = given(running)
      .when({ ...assess, actorUserId: 'user-eval-99' })
      .thenThrows(
        NotAssignedEvaluatorError,
        'Only evaluators assigned to this pilot can assess its TRL; procurers of org-sergas assign them',
      );
    expect(error).toMatchObject({ status: 403, code: 'NOT_ASSIGNED_EVALUATOR' });
  });

  it('takes a TRL from 1 to 9', () => {
    for (const trl of [0, 10, 7.5]) {
      const error = given(running)
        .when({ ...assess, trl })
        .thenThrows(DomainRuleError, `The TRL must be a whole number from 1 to 9, not ${trl}`);
      expect(error.code).toBe('INVALID_TRL');
    }
  });

  describe('evidence', () => {
    it('is required', () => {
      const error = given(running)
        .when({ ...assess, evidence: [] })
        .thenThrows(
          DomainRuleError,
          'A TRL assessment needs evidence: measurement ids of this pilot or document references',
        );
      expect(error.code).toBe('EVIDENCE_REQUIRED');
      given(running)
        .when({ ...assess, evidence: ['doc:report', ''] })
        .thenThrows(DomainRuleError, 'The evidence item 2 must not be empty');
    });

    it('may be documents alone, kept once each', () => {
      given(running)
        .when({
          ...assess,
          evidence: [
            'doc:validation-report-v2',
            'doc:validation-report-v2',
            'ISO 13485 certificate',
          ],
        })
        .then([
          expect.objectContaining({
            data: expect.objectContaining({
              evidence: ['doc:validation-report-v2', 'ISO 13485 certificate'],
            }),
          }),
        ]);
    });

    it('refuses measurement ids that are not measurements of this pilot', () => {
      const error = given(running)
        .when({ ...assess, evidence: ['meas-3', 'meas-404', 'meas-405'] })
        .thenThrows(
          DomainRuleError,
          'meas-404, meas-405 are not measurements of this pilot; cite measurements recorded in it, or documents',
        );
      expect(error.code).toBe('UNKNOWN_MEASUREMENT');
      expect(error.details).toEqual({ measurementIds: ['meas-404', 'meas-405'] });
    });
  });

  it('is made once the pilot runs, and still after its completion', () => {
    const error = given([planned, evaluatorsAssigned])
      .when({ ...assess, evidence: ['doc:validation-report-v2'] })
      .thenThrows(InvalidStateError, 'The pilot has not started; its TRL is assessed once it runs');
    expect(error.code).toBe('PILOT_NOT_STARTED');
    given([...running, completed])
      .when({ ...assess, now: afterwards })
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ trl: 8, assessedAt: afterwards.toISOString() }),
        }),
      ]);
  });
});
