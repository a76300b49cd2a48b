import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { TenantContext } from '../context/tenant-context';
import { TenancyError } from '../errors/tenancy.error';
import type { Tenant } from '../models/tenant.model';
import { TenantStore } from '../store/tenant-store.interface';
import { tenantHeaders } from './tenant-request';

/** A route to request as every tenant: `'/orders'` (GET) or a method, path, body and headers. */
export type LeakCheckRoute =
  string | { method?: string; path: string; body?: unknown; headers?: Record<string, string> };

/** Options of `assertNoCrossTenantLeaks`. */
export interface CrossTenantLeakCheck {
  /** Identifiers of registered, active tenants (at least two). */
  tenants: string[];
  /** Routes requested as every tenant; each must answer 2xx/3xx. */
  routes: LeakCheckRoute[];
  /**
   * Writes data for `tenant`, run inside its scope (so `@InjectTenantRepository` repositories work).
   * Store `marker` (a unique string) in a field the routes return; any strings returned are also
   * markers of this tenant.
   */
  seed: (tenant: Tenant, marker: string) => unknown;
}

/** Thrown by `assertNoCrossTenantLeaks`, naming the route and the tenants. */
export class CrossTenantLeakError extends TenancyError {}

/**
 * Seeds every tenant through `seed`, requests every route as every tenant (headers from
 * `tenantHeaders`) and throws when a response carries another tenant's seeded data. It also
 * throws when a route fails, or when no route returns a tenant's own data (the check would then
 * prove nothing). The app must be initialized; it is listened on an ephemeral port if it is not.
 */
export async function assertNoCrossTenantLeaks(app: INestApplication, check: CrossTenantLeakCheck): Promise<void> {
  const { tenants: identifiers, routes, seed } = check;
  if (!Array.isArray(identifiers) || identifiers.length < 2)
    throw new TenancyError('assertNoCrossTenantLeaks: tenants needs at least two identifiers');
  if (!Array.isArray(routes) || routes.length === 0)
    throw new TenancyError('assertNoCrossTenantLeaks: routes needs at least one route');
  const store = app.get<TenantStore>(TenantStore, { strict: false });
  const context = app.get(TenantContext, { strict: false });
  const connections = app.get(TenantConnectionManager, { strict: false });

  const markers = new Map<string, string[]>();
  for (const identifier of identifiers) {
    const tenant = await store.getByIdentifier(identifier);
    const marker = `leak-probe-${identifier}-${randomBytes(6).toString('hex')}`;
    const extra = await context.run(tenant, async () => {
      await connections.getDataSource(tenant); // checks the tenant in this scope: repositories then answer at once
      return seed(tenant, marker);
    });
    const returned = typeof extra === 'string' ? [extra] : Array.isArray(extra) ? extra.map(String) : [];
    markers.set(identifier, [marker, ...returned.filter((m) => m.length > 0)]);
  }

  await withBaseUrl(app, async (base) => {
    for (const identifier of identifiers) {
      let sawOwn = false;
      for (const route of routes) {
        const { method = 'GET', path, body, headers = {} } = typeof route === 'string' ? { path: route } : route;
        const label = `${method.toUpperCase()} ${path}`;
        const response = await fetch(base + path, {
          method: method.toUpperCase(),
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...tenantHeaders(app, identifier),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: 'manual',
        });
        const text = await response.text();
        if (response.status >= 400) {
          throw new CrossTenantLeakError(
            `assertNoCrossTenantLeaks: ${label} as tenant "${identifier}" answered ${response.status}; ` +
              'every route must answer for the check to mean anything.',
          );
        }
        for (const [other, theirs] of markers) {
          if (other === identifier) {
            if (theirs.some((m) => text.includes(m))) sawOwn = true;
            continue;
          }
          const found = theirs.find((m) => text.includes(m));
          if (found !== undefined) {
            throw new CrossTenantLeakError(
              `Cross-tenant leak: ${label} as tenant "${identifier}" returned data seeded for tenant "${other}" ` +
                `(${JSON.stringify(found)}).`,
            );
          }
        }
      }
      if (!sawOwn) {
        throw new CrossTenantLeakError(
          `assertNoCrossTenantLeaks: no route returned tenant "${identifier}"'s own seeded data, so a leak ` +
            'could not show either. Store the marker seed receives in a field the routes return.',
        );
      }
    }
  });
}

async function withBaseUrl(app: INestApplication, fn: (base: string) => Promise<void>): Promise<void> {
  const server = app.getHttpServer() as Server;
  const opened = !server.listening;
  if (opened) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    if (opened) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
