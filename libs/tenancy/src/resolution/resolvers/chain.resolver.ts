import { isThenable } from '../sync-or-async.util';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';

/**
 * Tries resolvers in order; the first that answers (not `null`, `undefined` or `''`) wins.
 * A resolver that throws stops the chain: a present-but-bad value is a rejection, not a
 * reason to try the next source. Synchronous while its resolvers are (the header, path and
 * subdomain resolvers are): no promise per request on the common path (bench/ANALYSIS.md).
 * @example new ChainResolver([new HeaderResolver(), new PathResolver()])
 */
export class ChainResolver implements TenantResolver {
  constructor(private readonly resolvers: readonly TenantResolver[]) {}

  resolve(request: TenancyRequest): string | null | Promise<string | null> {
    return this.from(0, request);
  }

  private from(index: number, request: TenancyRequest): string | null | Promise<string | null> {
    for (let i = index; i < this.resolvers.length; i++) {
      const answer = this.resolvers[i].resolve(request);
      if (isThenable(answer))
        return Promise.resolve(answer).then((id) => (answers(id) ? id : this.from(i + 1, request)));
      if (answers(answer)) return answer;
    }
    return null;
  }
}

function answers(identifier: string | null | undefined): identifier is string {
  return identifier !== null && identifier !== undefined && identifier !== '';
}
