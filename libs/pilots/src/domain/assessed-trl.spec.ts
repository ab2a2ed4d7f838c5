import { currentTrlOf, type AssessedTrl } from './assessed-trl';

const phase: AssessedTrl = {
  trl: 7,
  assessedAt: '2026-12-15T10:00:00Z',
  source: 'tender-91b0:phase-2',
};
const pilot: AssessedTrl = { trl: 8, assessedAt: '2027-07-05T10:00:00Z', source: 'pilot-0c3f' };
const otherPilot: AssessedTrl = {
  trl: 6,
  assessedAt: '2027-07-06T10:00:00Z',
  source: 'pilot-77aa',
};

describe("an innovation's current TRL", () => {
  it('is the latest assessment, whatever its level', () => {
    expect(currentTrlOf(phase, pilot)).toBe(pilot);
    expect(currentTrlOf(pilot, phase)).toBe(pilot);
    expect(currentTrlOf(phase, otherPilot, pilot)).toBe(otherPilot);
  });

  it('is none without assessments', () => {
    expect(currentTrlOf()).toBeNull();
    expect(currentTrlOf(null, undefined)).toBeNull();
    expect(currentTrlOf(null, phase)).toBe(phase);
  });

  it('compares instants across offsets; on equal times the one listed later wins', () => {
    const sameInstant: AssessedTrl = {
      trl: 9,
      assessedAt: '2027-07-05T12:00:00+02:00',
      source: 'x',
    };
    expect(currentTrlOf(pilot, sameInstant)).toBe(sameInstant);
    expect(currentTrlOf(sameInstant, pilot)).toBe(pilot);
  });
});
