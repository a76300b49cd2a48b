/** The parts of a request resolvers read; Express and Fastify requests both fit. */
export interface TenancyRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly url?: string;
  readonly originalUrl?: string;
  /** The connection (Express, Node): its `remoteAddress` is the peer `trustedProxies` is checked against. */
  readonly socket?: { readonly remoteAddress?: string };
  /** Fastify's Node request, for its socket. */
  readonly raw?: { readonly socket?: { readonly remoteAddress?: string } };
}

/**
 * Reads a tenant identifier from a request. Returns it, or `null` when this resolver finds
 * none (the chain then tries the next). Throwing means "reject" (counts as a failure reason).
 */
export interface TenantResolver {
  resolve(request: TenancyRequest): string | null | Promise<string | null>;
}

/** Injection token of the resolver in use (same name as the interface). */
export const TenantResolver = Symbol.for('nestjs-tenancy:TenantResolver');
