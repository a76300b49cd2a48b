import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { JwtVerifyOptions } from '@nestjs/jwt';
import { TENANCY_DEFAULTS } from '../../config/tenancy.defaults';
import type { TenancyModuleOptions } from '../../config/tenancy-options.interface';
import { TenancyConfigError } from '../../errors/tenancy-config.error';

/** Options read by `JwtClaimResolver` (defaults from `TENANCY_DEFAULTS`). */
export type JwtResolverOptions = Pick<
  TenancyModuleOptions,
  'jwtSecret' | 'jwtTenantClaim' | 'jwtAlgorithms' | 'jwtAudience' | 'jwtIssuer' | 'jwtLeewaySeconds' | 'jwtRequireExp'
>;

/**
 * @internal The verification key and options, fixed once. The key is typed by the pinned
 * family (a secret KeyObject for HS*, a public one otherwise), so jsonwebtoken refuses any token
 * whose `alg` belongs to the other family: HS/RS confusion cannot verify.
 */
export function buildJwtVerification(options: JwtResolverOptions): { key: KeyObject; verify: JwtVerifyOptions } {
  const algorithms = options.jwtAlgorithms ?? TENANCY_DEFAULTS.jwtAlgorithms;
  if (algorithms.length === 0 || algorithms.some((a) => a.toLowerCase() === 'none')) {
    throw new TenancyConfigError(
      'jwtAlgorithms (TENANCY_JWT_ALGORITHMS) must list at least one algorithm and never "none"',
    );
  }
  const hmac = algorithms.filter((a) => a.startsWith('HS')).length;
  if (hmac !== 0 && hmac !== algorithms.length) {
    throw new TenancyConfigError(
      'jwtAlgorithms (TENANCY_JWT_ALGORITHMS) must not mix HMAC (HS*) and public-key algorithms',
    );
  }
  if (!options.jwtSecret)
    throw new TenancyConfigError('jwtSecret (TENANCY_JWT_SECRET) is required by the JWT resolver');
  const key = hmac ? createSecretKey(Buffer.from(options.jwtSecret)) : publicKey(options.jwtSecret);
  const verify: JwtVerifyOptions = {
    algorithms: algorithms as NonNullable<JwtVerifyOptions['algorithms']>,
    clockTolerance: options.jwtLeewaySeconds ?? TENANCY_DEFAULTS.jwtLeewaySeconds,
    ignoreExpiration: false,
    ignoreNotBefore: false,
    ...(options.jwtAudience === undefined ? {} : { audience: options.jwtAudience }),
    ...(options.jwtIssuer === undefined ? {} : { issuer: options.jwtIssuer }),
  };
  return { key, verify };
}

function publicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new TenancyConfigError(
      'jwtSecret (TENANCY_JWT_SECRET) must be a PEM public key when jwtAlgorithms are RS*, PS*, ES* or EdDSA',
    );
  }
}
