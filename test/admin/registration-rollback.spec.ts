import type { TenantIsolation, TenancyModuleOptions, TenantStore } from 'nestjs-tenancy';
import { TenantProvisioningError, TypeOrmTenantStore } from 'nestjs-tenancy';
import { TenantProvisioner } from '../../libs/tenancy/src/isolation/tenant-provisioner';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import {
  bootAdmin,
  databaseExists,
  physical,
  schemaExists,
  tenantRows,
  useTenantPlacement,
  type AdminApp,
} from './support/admin-app';
import { CreateWidgets1700000000001, Explodes1700000000002 } from './support/migrations';

/** Creates the storage, then fails: the rollback must remove what was created. */
class StorageFailsAfterCreating extends TenantProvisioner {
  override async createStorage(tenant: Tenant): Promise<void> {
    await super.createStorage(tenant);
    throw new Error('storage quota exceeded');
  }
}

/** A store whose activation fails (everything else passes through). */
function activationFails(inner: TenantStore): TenantStore {
  return new Proxy(inner, {
    get(target, key: keyof TenantStore) {
      if (key === 'setStatus') {
        return async (id: string, status: Tenant['status']) => {
          if (status === 'active') throw new Error('store refused activation');
          return target.setStatus(id, status);
        };
      }
      const value = target[key];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<TenantProvisioningError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TenantProvisioningError);
  return error as TenantProvisioningError;
}

describeWith('postgres', 'TenantAdminService.register rolls back every step (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const placement = useTenantPlacement(db, 'rb');
  const { dbPrefix } = placement;
  let app: AdminApp | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const options = (strategy: TenantIsolation, extra: Partial<TenancyModuleOptions> = {}): TenancyModuleOptions => ({
    ...placement.options(),
    isolationStrategy: strategy,
    entities: [Order, Customer],
    poolSize: 3,
    cacheEnabled: false,
    ...extra,
  });

  // First: the ordinary role then owns the tenants table, which the superuser runs can use too.
  it('create_storage: a role without CREATEDB cannot create a tenant database; the row is removed', async () => {
    app = await bootAdmin(options('database', { databaseUrl: role.url }));
    const error = await failure(app.admin.register({ identifier: 'no-createdb', name: 'N' }));
    expect(error.step).toBe('create_storage');
    expect(error.message).toMatch(/permission denied/i);
    expect(await databaseExists(db.adminUrl, physical(dbPrefix(), 'no-createdb'))).toBe(false);
    expect(await tenantRows(db.url, 'no-createdb')).toEqual([]);
  });

  describe.each<TenantIsolation>(['schema', 'database'])('%s', (strategy) => {
    const storage = (identifier: string) =>
      strategy === 'schema'
        ? schemaExists(db.url, physical('rb_', identifier))
        : databaseExists(db.adminUrl, physical(dbPrefix(), identifier));
    const expectNothingLeft = async (identifier: string) => {
      expect(await storage(identifier)).toBe(false);
      expect(await tenantRows(db.url, identifier)).toEqual([]);
      await expect(app!.admin.get(identifier)).rejects.toThrow(/Tenant not found/);
    };

    it('validate: an invalid identifier or an over-long physical name creates nothing', async () => {
      app = await bootAdmin(options(strategy));
      expect((await failure(app.admin.register({ identifier: 'Bad_Name', name: 'x' }))).step).toBe('validate');
      const long = `l${'o'.repeat(60)}ng`; // valid identifier, but prefix + 63 characters > 63 bytes
      const error = await failure(app.admin.register({ identifier: long, name: 'x' }));
      expect(error.step).toBe('validate');
      expect(error.message).toMatch(/63/);
      expect(await tenantRows(db.url, long)).toEqual([]);
      expect(await app.admin.list()).toEqual([]);
    });

    it('reserve: maxTenants counts live tenants only; the refused one leaves nothing', async () => {
      app = await bootAdmin(options(strategy, { maxTenants: 2 }));
      const a = await app.admin.register({ identifier: `${strategy}-max-a`, name: 'A' });
      await app.admin.register({ identifier: `${strategy}-max-b`, name: 'B' });
      const error = await failure(app.admin.register({ identifier: `${strategy}-max-c`, name: 'C' }));
      expect(error.step).toBe('reserve');
      expect(error.message).toMatch(/maxTenants = 2/);
      await expectNothingLeft(`${strategy}-max-c`);
      await app.admin.delete(a.id); // soft: no longer counts
      expect((await app.admin.register({ identifier: `${strategy}-max-c`, name: 'C' })).status).toBe('active');
    });

    it('create_storage: storage created before the failure is dropped, and the row removed', async () => {
      app = await bootAdmin(options(strategy), (b) =>
        b.overrideProvider(TenantProvisioner).useClass(StorageFailsAfterCreating),
      );
      const error = await failure(app.admin.register({ identifier: `${strategy}-storage`, name: 'S' }));
      expect(error.step).toBe('create_storage');
      expect(error.message).toMatch(/storage quota exceeded/);
      await expectNothingLeft(`${strategy}-storage`);
    });

    it('migrate: a failing migration (after one that succeeded) leaves no storage and no row', async () => {
      app = await bootAdmin(options(strategy, { migrations: [CreateWidgets1700000000001, Explodes1700000000002] }));
      const error = await failure(app.admin.register({ identifier: `${strategy}-migrate`, name: 'M' }));
      expect(error.step).toBe('migrate');
      expect(error.message).toMatch(/migration exploded/);
      await expectNothingLeft(`${strategy}-migrate`);
    });

    it('activate: a store that refuses activation leaves no storage and no row', async () => {
      const store = activationFails(await TypeOrmTenantStore.open(db.url));
      app = await bootAdmin(options(strategy, { store }));
      const error = await failure(app.admin.register({ identifier: `${strategy}-activate`, name: 'A' }));
      expect(error.step).toBe('activate');
      await expectNothingLeft(`${strategy}-activate`);
      await pgAdmin(db.url, 'DELETE FROM public.tenants'); // this store shares the table; start the next test clean
    });

    afterEach(async () => {
      await pgAdmin(db.url, 'DELETE FROM public.tenants').catch(() => undefined);
    });
  });
});
