import { TenancyError } from '../errors/tenancy.error';

/**
 * @internal Calls `fn` for every item with at most `concurrency` calls in flight, and resolves
 * when all have settled. `fn` should not throw: a rejection fails the whole run (the other
 * workers still finish their current item). Results keep the order of `items`.
 * @example await mapBounded(tenants, 4, (t) => migrate(t))
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  assertConcurrency(concurrency);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** @internal Throws unless `value` is a whole number ≥ 1. */
export function assertConcurrency(value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new TenancyError(`concurrency must be a whole number of at least 1 (got ${String(value)})`);
  }
}
