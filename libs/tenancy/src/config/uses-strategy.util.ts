import type { ResolvedTenancyOptions } from './tenancy-options.interface';

/** @internal Whether any tenant can be placed on `strategy` under these options (hybrid: either tier). */
export function usesStrategy(o: ResolvedTenancyOptions, strategy: 'schema' | 'database' | 'rls'): boolean {
  if (o.isolationStrategy === 'hybrid')
    return o.premiumIsolationStrategy === strategy || o.standardIsolationStrategy === strategy;
  return o.isolationStrategy === strategy;
}
