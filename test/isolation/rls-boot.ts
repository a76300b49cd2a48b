import type { TenancyModuleOptions } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { tenantEntitySchema } from '../../libs/tenancy/src/store/tenant.entity';
import { TypeOrmTenantStore } from '../../libs/tenancy/src/store/typeorm-tenant.store';
import { connectManager } from './support/connection-manager';

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
  let store!: TypeOrmTenantStore;
  const { manager } = await connectManager(
    { databaseUrl: url, isolationStrategy: 'rls', entities, poolSize: 3, ...extra },
    {
      registryEntities: [tenantEntitySchema('postgres')],
      beforeInit: async (sources) => {
        store = new TypeOrmTenantStore(sources.root);
        await store.ensureSchema();
      },
    },
  );
  return { manager, store, close: () => manager.onApplicationShutdown() };
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
