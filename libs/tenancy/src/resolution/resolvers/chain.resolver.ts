import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';

/**
 * Tries resolvers in order; the first that answers (not `null`, `undefined` or `''`) wins.
 * A resolver that throws stops the chain: a present-but-bad value is a rejection, not a
 * reason to try the next source.
 * @example new ChainResolver([new HeaderResolver(), new PathResolver()])
 */
export class ChainResolver implements TenantResolver {
  constructor(private readonly resolvers: readonly TenantResolver[]) {}

  async resolve(request: TenancyRequest): Promise<string | null> {
    for (const resolver of this.resolvers) {
      const identifier = await resolver.resolve(request);
      if (identifier !== null && identifier !== undefined && identifier !== '') return identifier;
    }
    return null;
  }
}
