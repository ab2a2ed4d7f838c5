/**
 * The shape of an aggregate's rules: pure functions, no I/O. `decide` turns a command and
 * the current state into new events (or throws a DecisionError); `evolve` folds one event
 * into the state. Anything `evolve` needs must be in the event's `data`, since the stored
 * metadata (actor, time) is not part of the domain event.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  /** Defaults to 1. */
  schemaVersion?: number;
  /** Why it happened, where the domain asks for one; overrides the command's reason. */
  reason?: string | null;
}

export interface Decider<Command, State, Event extends DomainEvent> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** The state after the given events, from the decider's initial state. */
export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
