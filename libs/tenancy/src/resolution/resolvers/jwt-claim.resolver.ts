import type * as NestJwt from '@nestjs/jwt';
import type { JwtService } from '@nestjs/jwt';
import { loadOptionalPackage } from '../../config/optional-package.util';
import { TENANCY_DEFAULTS } from '../../config/tenancy.defaults';
import { TenantResolutionError } from '../tenant-resolution.error';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';
import { buildJwtVerification, type JwtResolverOptions } from './jwt-verify-options';
import { readSingleHeader } from './request-header.util';

export type { JwtResolverOptions } from './jwt-verify-options';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Reads the identifier from claim `jwtTenantClaim` (default `tenant_id`) of an
 * `Authorization: Bearer` token verified with @nestjs/jwt. Algorithms are pinned to
 * `jwtAlgorithms` (never `none`, never HMAC mixed with public-key algorithms); `exp` is required
 * (unless `jwtRequireExp: false`); `exp` and `nbf` are enforced with `jwtLeewaySeconds` of
 * tolerance; `aud` and `iss` are checked when `jwtAudience` / `jwtIssuer` are set. `jwtSecret` is the HMAC secret, or the PEM public key for
 * RS/PS/ES/EdDSA. Nothing is read from a token that did not verify.
 * No Authorization header (or another scheme) or no claim → `null`; a bad token → `invalid_token`.
 */
export class JwtClaimResolver implements TenantResolver {
  private readonly jwt: JwtService;
  private readonly claim: string;
  private readonly requireExp: boolean;

  constructor(options: JwtResolverOptions) {
    const { key, verify } = buildJwtVerification(options);
    const { JwtService: Service } = loadOptionalPackage<typeof NestJwt>(
      '@nestjs/jwt',
      "resolutionStrategy 'jwt' (TENANCY_RESOLUTION_STRATEGY)",
    );
    this.jwt = new Service({ secret: key, verifyOptions: verify });
    this.claim = options.jwtTenantClaim ?? TENANCY_DEFAULTS.jwtTenantClaim;
    this.requireExp = options.jwtRequireExp ?? TENANCY_DEFAULTS.jwtRequireExp;
  }

  resolve(request: TenancyRequest): string | null {
    const authorization = readSingleHeader(request, 'authorization');
    const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) return null;
    const payload = this.verify(token);
    if (!Object.hasOwn(payload, this.claim)) return null;
    const value = payload[this.claim];
    if (typeof value !== 'string') throw new TenantResolutionError('malformed', 'tenant claim is not a string');
    return value;
  }

  private verify(token: string): Record<string, unknown> {
    let payload: unknown;
    try {
      payload = this.jwt.verify<object>(token);
    } catch (error) {
      // The error names the check that failed (expired, audience...), never the token.
      throw new TenantResolutionError('invalid_token', error instanceof Error ? error.message : 'verification failed');
    }
    if (typeof payload !== 'object' || payload === null)
      throw new TenantResolutionError('invalid_token', 'payload is not a JSON object');
    // jsonwebtoken checks exp only when present: a token without one would be valid forever.
    if (this.requireExp && typeof (payload as { exp?: unknown }).exp !== 'number')
      throw new TenantResolutionError('invalid_token', 'token has no exp (jwtRequireExp)');
    return payload as Record<string, unknown>;
  }
}
