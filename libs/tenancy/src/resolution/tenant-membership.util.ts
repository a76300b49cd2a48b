import type { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Tenant } from '../models/tenant.model';
import { describeError, isThenable } from './sync-or-async.util';
import { TenantMembership } from './tenant-membership.interface';
import { TenantResolutionError } from './tenant-resolution.error';
import type { TenancyRequest } from './tenant-resolver.interface';

/** @internal The application's `TenantMembership` provider, in any module; `null` when none is registered. */
export function findTenantMembership(moduleRef: ModuleRef | null): TenantMembership | null {
  try {
    return moduleRef?.get<TenantMembership>(TenantMembership, { strict: false }) ?? null;
  } catch {
    return null; // none registered
  }
}

/**
 * @internal Asks `membership` whether the request may use the tenant: anything but `true` (a
 * throw or a rejection too, logged) is `not_member`. Synchronous while `canAccess` is.
 */
export function checkTenantMembership(
  membership: TenantMembership,
  tenant: Tenant,
  request: TenancyRequest,
  logger: Logger,
): void | Promise<void> {
  const refuse = (error?: unknown): never => {
    if (error !== undefined) logger.warn(`TenantMembership.canAccess failed: ${describeError(error)}`);
    throw new TenantResolutionError('not_member', 'membership refused', tenant.identifier);
  };
  let answer: boolean | Promise<boolean>;
  try {
    answer = membership.canAccess(tenant, request);
  } catch (error) {
    return refuse(error);
  }
  if (isThenable(answer)) return Promise.resolve(answer).then((ok) => (ok === true ? undefined : refuse()), refuse);
  if (answer !== true) refuse();
}
