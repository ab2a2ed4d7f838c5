import { DecisionError } from '@pcp/eventsourcing';

/**
 * Someone outside the organisation a rule names (the procurer running the pilot, or the
 * contract holder) tried to act on it. An authorisation rule, not a business rule:
 * `status` and `expose` follow the http-errors convention, so the API answers 403.
 */
export class NotOwnerError extends DecisionError {
  readonly status = 403;
  readonly expose = true;
}

/** A user who is not assigned to the pilot as an evaluator tried to assess its TRL (403). */
export class NotAssignedEvaluatorError extends DecisionError {
  readonly status = 403;
  readonly expose = true;
}
