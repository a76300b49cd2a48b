import type { Logger } from '@nestjs/common';
import { describeError, isThenable } from './sync-or-async.util';
import { TenantResolutionError } from './tenant-resolution.error';
import type { TenancyRequest, TenantResolver } from './tenant-resolver.interface';

/**
 * @internal Runs `resolver` over the request: the raw identifier, or `null` when it names none
 * (`undefined` and `''` count as none); a promise only when the resolver answers with one. A
 * failing resolver is `resolver_error` (logged by class only: its message may echo input);
 * a `TenantResolutionError` it throws passes through.
 */
export function resolveIdentifierWith(resolver: TenantResolver, request: TenancyRequest, logger: Logger): unknown {
  const failed = (error: unknown): never => {
    if (error instanceof TenantResolutionError) throw error;
    logger.warn(`Tenant resolver failed: ${describeError(error, false)}`);
    throw new TenantResolutionError('resolver_error');
  };
  let identifier: unknown;
  try {
    identifier = resolver.resolve(request);
  } catch (error) {
    return failed(error);
  }
  if (isThenable(identifier)) return Promise.resolve(identifier).then(emptyAsNull, failed);
  return emptyAsNull(identifier);
}

function emptyAsNull(identifier: unknown): unknown {
  return identifier === undefined || identifier === '' ? null : identifier;
}
