import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { TenantAdminService, type TenancyModuleOptions, type Tenant, type TenantIsolation } from 'nestjs-tenancy';
import { databaseTemplate, dropDatabases } from '../../admin/support/admin-app';
import { bootApp } from '../../support/tenancy-app';
import { entityPathsModule } from './entity-paths.fixture';

/** A booted app of the entity-paths fixture with registered tenants. */
export interface EntityPathsApp {
  readonly app: INestApplication;
  readonly tenants: Record<string, Tenant>;
  /** A supertest agent call as `identifier` (header resolution). */
  get(identifier: string, path: string): request.Test;
  post(identifier: string, path: string, body: object): request.Test;
  del(identifier: string, path: string): request.Test;
  close(): Promise<void>;
}

interface Servers {
  db: { url: string; adminUrl: string; name: string };
  role: { url: string };
}

/** Options of the fixture app under `strategy` (RLS connects as the ordinary role). */
export function entityPathsOptions(strategy: TenantIsolation, { db, role }: Servers): TenancyModuleOptions {
  const common = { cacheEnabled: false, poolSize: 4 } as const;
  if (strategy === 'rls') return { ...common, databaseUrl: role.url, isolationStrategy: 'rls' };
  if (strategy === 'schema')
    return { ...common, databaseUrl: db.url, isolationStrategy: 'schema', schemaPrefix: 'ep_' };
  return {
    ...common,
    databaseUrl: db.url,
    isolationStrategy: 'database',
    databaseUrlTemplate: databaseTemplate(db.adminUrl),
    databasePrefix: databasePrefixOf(db),
  };
}

export const databasePrefixOf = (db: { name: string }): string => `ep${db.name.slice(-6)}_`;

export async function bootEntityPaths(
  strategy: TenantIsolation,
  servers: Servers,
  identifiers: string[],
): Promise<EntityPathsApp> {
  const app = await bootApp(entityPathsModule(entityPathsOptions(strategy, servers)));
  const admin = app.get(TenantAdminService);
  const tenants: Record<string, Tenant> = {};
  for (const identifier of identifiers) tenants[identifier] = await admin.register({ identifier, name: identifier });
  const server = app.getHttpServer();
  return {
    app,
    tenants,
    get: (id, path) => request(server).get(path).set('X-Tenant-ID', id),
    post: (id, path, body) => request(server).post(path).set('X-Tenant-ID', id).send(body),
    del: (id, path) => request(server).delete(path).set('X-Tenant-ID', id),
    close: async () => {
      for (const t of Object.values(tenants)) await admin.delete(t.id, { hard: true }).catch(() => undefined);
      await app.close();
      if (strategy === 'database') await dropDatabases(servers.db.adminUrl, databasePrefixOf(servers.db));
    },
  };
}
