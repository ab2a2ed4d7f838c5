import { DeciderSpecification } from './decider-specification';

// A turnstile: the smallest decider with a refusal and a no-op.
type Command = { type: 'Coin' } | { type: 'Push' };
type Event = { type: 'Unlocked' } | { type: 'Passed' };
class LockedError extends Error {}

const given = DeciderSpecification.for<Command, { locked: boolean }, Event>({
  initialState: () => ({ locked: true }),
  decide: (command, state) => {
    if (command.type === 'Coin') return state.locked ? [{ type: 'Unlocked' }] : [];
    if (state.locked) throw new LockedError('locked');
    return [{ type: 'Passed' }];
  },
  evolve: (_state, event) => ({ locked: event.type === 'Passed' }),
});

describe('DeciderSpecification', () => {
  it('passes when the events match', () => {
    given([])
      .when({ type: 'Coin' })
      .then([{ type: 'Unlocked' }]);
    given([{ type: 'Unlocked' }])
      .when({ type: 'Coin' })
      .thenNothingHappens();
    given([{ type: 'Unlocked' }])
      .when({ type: 'Push' })
      .thenState({ locked: true });
  });

  it('fails when the events differ', () => {
    expect(() =>
      given([])
        .when({ type: 'Coin' })
        .then([{ type: 'Passed' }]),
    ).toThrow();
    expect(() => given([]).when({ type: 'Coin' }).thenNothingHappens()).toThrow();
  });

  it('returns the expected error and fails on another one or on none', () => {
    expect(given([]).when({ type: 'Push' }).thenThrows(LockedError, 'locked')).toBeInstanceOf(
      LockedError,
    );
    expect(() => given([]).when({ type: 'Push' }).thenThrows(TypeError)).toThrow();
    expect(() => given([]).when({ type: 'Push' }).thenThrows(LockedError, /open/)).toThrow();
    expect(() => given([]).when({ type: 'Coin' }).thenThrows(LockedError)).toThrow(/produced/);
  });
});
