import { mapBounded } from './bounded-concurrency.util';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapBounded', () => {
  it('never runs more than `concurrency` calls at once, and uses all of them', async () => {
    let running = 0;
    let peak = 0;
    await mapBounded([...Array(20).keys()], 4, async () => {
      peak = Math.max(peak, ++running);
      await tick(2);
      running--;
    });
    expect(peak).toBe(4);
  });

  it('keeps the order of the items in its results', async () => {
    const out = await mapBounded([30, 10, 20], 2, async (ms, i) => {
      await tick(ms);
      return i;
    });
    expect(out).toEqual([0, 1, 2]);
  });

  it('handles fewer items than workers, and no items', async () => {
    expect(await mapBounded([1], 8, async (x) => x * 2)).toEqual([2]);
    expect(await mapBounded([], 3, async (x) => x)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses concurrency %p', async (n) => {
    await expect(mapBounded([1], n, async (x) => x)).rejects.toThrow(/concurrency must be a whole number/);
  });
});
