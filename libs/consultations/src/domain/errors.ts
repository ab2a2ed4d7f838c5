import { DecisionError } from '@pcp/eventsourcing';

/**
 * Someone outside the owning organisation tried to change its consultation. An
 * authorisation rule, not a business rule: `status` and `expose` follow the http-errors
 * convention, so the API answers 403 with this message.
 */
export class NotOwnerError extends DecisionError {
  readonly status = 403;
  readonly expose = true;
}
