/**
 * Given/when/then for deciders: given past events, when a command arrives, then these
 * events (or this error). The types are structural so that this library does not depend
 * on the event-sourcing library it helps to test.
 */
export interface SpecifiedDecider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export interface DeciderThen<State, Event> {
  /** The command produced exactly these events, in this order. */
  then(expected: Event[]): void;
  /** The command was accepted and recorded nothing. */
  thenNothingHappens(): void;
  /** The command was refused with this error class (and message, when given). */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, message?: string | RegExp): E;
  /** The state after the given events and the command's events. */
  thenState(expected: State): void;
}

export interface DeciderWhen<Command, State, Event> {
  when(command: Command): DeciderThen<State, Event>;
}

export type Given<Command, State, Event> = (events?: Event[]) => DeciderWhen<Command, State, Event>;

export const DeciderSpecification = {
  for<Command, State, Event>(
    decider: SpecifiedDecider<Command, State, Event>,
  ): Given<Command, State, Event> {
    return (givenEvents: Event[] = []) => ({
      when(command: Command): DeciderThen<State, Event> {
        const run = (): { state: State; events: Event[] } => {
          const state = givenEvents.reduce((s, e) => decider.evolve(s, e), decider.initialState());
          return { state, events: decider.decide(command, state) };
        };
        return {
          then(expected: Event[]): void {
            expect(run().events).toEqual(expected);
          },
          thenNothingHappens(): void {
            expect(run().events).toEqual([]);
          },
          thenThrows<E extends Error>(errorClass: ErrorClass<E>, message?: string | RegExp): E {
            let produced: Event[] | undefined;
            try {
              produced = run().events;
            } catch (error) {
              expect(error).toBeInstanceOf(errorClass);
              if (message !== undefined) expect((error as Error).message).toMatch(message);
              return error as E;
            }
            throw new Error(
              `expected the command to be refused with ${errorClass.name}, but it produced ${JSON.stringify(produced, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
            );
          },
          thenState(expected: State): void {
            const { state, events } = run();
            expect(events.reduce((s, e) => decider.evolve(s, e), state)).toEqual(expected);
          },
        };
      },
    });
  },
};
