/**
 * Errors a decider throws when a command cannot be accepted. They carry no HTTP status;
 * the HTTP layer maps them (rule 422, state 409, not found 404).
 */
export abstract class DecisionError extends Error {
  constructor(
    message: string,
    /** Machine-readable code for clients, e.g. `TRL_TOO_LOW`. */
    readonly code?: string,
    /** Extra facts a person needs to act on the refusal. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A business rule refuses the command (a missing justification, a score out of range). */
export class DomainRuleError extends DecisionError {}

/** The aggregate is not in a state that accepts the command (publishing a cancelled tender). */
export class InvalidStateError extends DecisionError {}

/** The aggregate the command addresses does not exist. */
export class NotFoundError extends DecisionError {}
