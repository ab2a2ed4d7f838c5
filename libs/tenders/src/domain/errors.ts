import { DecisionError, InvalidStateError } from '@pcp/eventsourcing';

/**
 * Someone outside the owning organisation tried to change its tender, or another
 * organisation's bid or contract. An authorisation rule, not a business rule: `status` and
 * `expose` follow the http-errors convention, so the API answers 403 with this message.
 * Messages about bids never name the bidder: before opening that would unseal the bid.
 */
export class NotOwnerError extends DecisionError {
  readonly status = 403;
  readonly expose = true;
}

/** A user acted as an evaluator of a tender they are not assigned to (403). */
export class NotAssignedError extends DecisionError {
  readonly status = 403;
  readonly expose = true;
}

/**
 * A bid, replacement or withdrawal arrived after the submission deadline (409). The refusal
 * must be recorded: on this error the application appends the `RecordLateBid` decision to
 * the tender, then answers with this error.
 */
export class LateBidError extends InvalidStateError {}
