import { type Logger, ServiceUnavailableException } from '@nestjs/common';
import type { TenantActivation } from '../context/tenant-activation.interface';
import type { Tenant } from '../models/tenant.model';
import { describeError, isThenable } from './sync-or-async.util';

/**
 * @internal Readies the tenant's resources through `activation`; a promise only when activation
 * has something to wait for. A failure is a 503 for this tenant alone (logged), never a 404:
 * the tenant exists, its database is unreachable.
 */
export function activateTenantWith(activation: TenantActivation, tenant: Tenant, logger: Logger): void | Promise<void> {
  const unavailable = (error: unknown): never => {
    logger.warn(`Tenant ${tenant.identifier} could not be activated: ${describeError(error)}`);
    throw new ServiceUnavailableException({ statusCode: 503, message: 'Service Unavailable' });
  };
  let pending: unknown;
  try {
    pending = activation.activate(tenant);
  } catch (error) {
    return unavailable(error);
  }
  if (isThenable(pending)) return Promise.resolve(pending).then(() => undefined, unavailable);
}
