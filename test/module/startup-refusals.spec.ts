import { join } from 'node:path';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TenancyConfigError, TenantProvisioningError, type TenancyModuleOptions } from 'nestjs-tenancy';
import { bootAdmin, schemaExists } from '../admin/support/admin-app';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';

@Entity({ name: 'notes' })
class NoTenantColumn {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'text' }) body!: string;
}

async function refused(options: TenancyModuleOptions): Promise<Error> {
  const error = await bootAdmin(options).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TenancyConfigError);
  return error as Error;
}

/** Issue 12 items 7, 9 and 10: start-up refuses before it creates anything; no silent no-ops. */
describeWith('postgres', 'start-up refusals create nothing; registrations that would create nothing refuse', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const tables = async () =>
    (await pgAdmin(db.url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map(
      (r) => r.t,
    );

  it('item 7: a migrations glob that matches no file is a configuration error naming the option', async () => {
    const glob = join(__dirname, 'no-such-dir', '*.migration.ts');
    const error = await refused({ databaseUrl: db.url, entities: [Order, Customer], migrations: [glob] });
    expect(error.message).toMatch(/TENANCY_MIGRATIONS .*matches no file.*\(option migrations\)/);
    expect(error.message).toContain(glob);
    expect(await tables()).toEqual([]);
  });

  it('item 10: RLS as a superuser is refused before public.tenants (or anything) exists', async () => {
    const error = await refused({ databaseUrl: db.url, isolationStrategy: 'rls', entities: [Order, Customer] });
    expect(error.message).toMatch(/superuser/);
    expect(await tables()).toEqual([]);
  });

  it('item 10: an RLS entity without tenant_id is refused before public.tenants exists', async () => {
    const error = await refused({ databaseUrl: role.url, isolationStrategy: 'rls', entities: [NoTenantColumn] });
    expect(error.message).toMatch(/NoTenantColumn has no tenant_id/);
    expect(await tables()).toEqual([]);
  });

  it('item 10: after the refusals, a correct start succeeds', async () => {
    const app = await bootAdmin({ databaseUrl: role.url, isolationStrategy: 'rls', entities: [Order, Customer] });
    await app.close();
    expect(await tables()).toEqual(['customers', 'orders', 'tenants']);
  });

  it('item 9: registering with neither entities nor migrations is refused; nothing is created', async () => {
    const app = await bootAdmin({ databaseUrl: db.url, schemaPrefix: 'nt_', cacheEnabled: false });
    try {
      const error = await app.admin.register({ identifier: 'empty-handed', name: 'E' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantProvisioningError);
      expect((error as TenantProvisioningError).step).toBe('validate');
      expect((error as Error).message).toMatch(/no tenant entities .*forFeature.* and no migrations/);
      expect(await schemaExists(db.url, 'nt_empty_handed')).toBe(false);
      expect(await app.admin.list()).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
