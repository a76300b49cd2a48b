import type { TenancyModuleOptions } from '../../libs/tenancy/src/config/tenancy-options.interface';
import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../../libs/tenancy/src/connection/tenant-database.options';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { tenantEntitySchema } from '../../libs/tenancy/src/store/tenant.entity';
import { TypeOrmTenantStore } from '../../libs/tenancy/src/store/typeorm-tenant.store';

/** What an RLS app holds after start-up, in the order the module builds it (store, then RLS). */
export interface RlsApp {
  manager: TenantConnectionManager;
  store: TypeOrmTenantStore;
  close(): Promise<void>;
}

/** Starts the RLS stack as the module does: root pool + registry, then the shared tables. */
export async function bootRls(
  url: string,
  entities: Function[],
  extra: Partial<TenancyModuleOptions> = {},
): Promise<RlsApp> {
  const options = resolveTenancyOptions({
    databaseUrl: url,
    isolationStrategy: 'rls',
    entities,
    poolSize: 3,
    ...extra,
  });
  const sources = await TenancyDataSources.connect(options, [tenantEntitySchema('postgres')]);
  const manager = new TenantConnectionManager(
    options,
    sources,
    new TenantContext(),
    new TenantDatabaseOptions(options),
  );
  try {
    const store = new TypeOrmTenantStore(sources.root);
    await store.ensureSchema();
    await manager.onModuleInit();
    return { manager, store, close: () => manager.onApplicationShutdown() };
  } catch (e) {
    await manager.onApplicationShutdown();
    throw e;
  }
}

let n = 0;
/** A tenant record (not stored) on RLS. */
export function rlsTenant(identifier: string): Tenant {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  return {
    id,
    identifier,
    name: identifier,
    status: 'active',
    isolationStrategy: 'rls',
    tier: 'standard',
    databaseUrl: null,
    metadata: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}
