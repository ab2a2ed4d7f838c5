/** One assessed TRL of an innovation: its level, when it was assessed and where. */
export interface AssessedTrl {
  trl: number;
  /** ISO 8601 time of the assessment. */
  assessedAt: string;
  /** The pilot id, or the tender and phase whose intermediate evaluation assessed it. */
  source: string;
}

/**
 * The innovation's current TRL: the latest assessment among those given (by time; on
 * equal times the one listed later). The application layer passes the latest it knows
 * from its projection (PCP intermediate evaluations, other pilots) together with the
 * pilot's own latest, so a projection that lags behind the pilot's stream still gives
 * the right answer. Declared TRLs never count here.
 */
export function currentTrlOf(
  ...assessments: readonly (AssessedTrl | null | undefined)[]
): AssessedTrl | null {
  let current: AssessedTrl | null = null;
  for (const assessment of assessments) {
    if (!assessment) continue;
    if (current === null || Date.parse(assessment.assessedAt) >= Date.parse(current.assessedAt)) {
      current = assessment;
    }
  }
  return current;
}
