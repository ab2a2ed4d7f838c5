import { medianOfRounds } from './measure';

describe('medianOfRounds', () => {
  it('lets the sides take turns round by round and gives each its median time', async () => {
    const order: string[] = [];
    const times = { ours: [30, 10, 20], raw: [5, 50, 7] };
    const side = (name: keyof typeof times) => async (round: number) => {
      order.push(`${name}${round}`);
      return times[name][round];
    };
    const medians = await medianOfRounds(3, { ours: side('ours'), raw: side('raw') });
    expect(order).toEqual(['ours0', 'raw0', 'ours1', 'raw1', 'ours2', 'raw2']);
    expect(medians).toEqual({ ours: 20, raw: 7 });
  });

  it('averages the middle two of an even number of rounds', async () => {
    const times = [4, 1, 3, 2];
    const medians = await medianOfRounds(4, { only: async (round) => times[round] });
    expect(medians.only).toBe(2.5);
  });
});
