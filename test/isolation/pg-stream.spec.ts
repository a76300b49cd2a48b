import type { Readable } from 'node:stream';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { connectManager } from './support/connection-manager';

@Entity('orders')
class Order extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

async function streamedLabels(ds: DataSource): Promise<string[]> {
  const stream = (await ds.getRepository(Order).createQueryBuilder('o').orderBy('o.id').stream()) as Readable;
  const labels: string[] = [];
  for await (const row of stream) labels.push((row as { o_label: string }).o_label);
  return labels;
}

async function boot(url: string, isolationStrategy: 'schema' | 'rls', scopeMode: ScopeMode) {
  return (await connectManager({ databaseUrl: url, isolationStrategy, entities: [Order], poolSize: 2, scopeMode }))
    .manager;
}

/** Issue 11 item 11: `QueryBuilder.stream()` through a tenant DataSource streams that tenant's rows only. */
describe.each<ScopeMode>(['session', 'transaction'])('stream() on PostgreSQL (scopeMode %s)', (scopeMode) => {
  describeWith('postgres', 'schema', () => {
    const db = usePostgresDatabase();
    let manager: TenantConnectionManager;

    beforeAll(async () => {
      for (const schema of ['t_acme', 't_beta']) {
        await pgAdmin(
          db.url,
          `CREATE SCHEMA ${schema}`,
          `CREATE TABLE ${schema}.orders (id serial primary key, label text not null, tenant_id uuid)`,
        );
      }
      await pgAdmin(
        db.url,
        "INSERT INTO t_acme.orders (label) VALUES ('a1'), ('a2')",
        "INSERT INTO t_beta.orders (label) VALUES ('b1')",
      );
      manager = await boot(db.url, 'schema', scopeMode);
    });
    afterAll(() => manager?.onApplicationShutdown());

    it("streams the tenant's rows only", async () => {
      expect(await streamedLabels(await manager.getDataSource(testTenant('acme')))).toEqual(['a1', 'a2']);
      expect(await streamedLabels(await manager.getDataSource(testTenant('beta')))).toEqual(['b1']);
    });
  });

  describeWith('postgres', 'RLS', () => {
    const db = usePostgresDatabase();
    const role = useOrdinaryRole(db);
    let manager: TenantConnectionManager;
    const acme: Tenant = testTenant('acme', { isolationStrategy: 'rls' });
    const beta: Tenant = testTenant('beta', { isolationStrategy: 'rls' });

    beforeAll(async () => {
      manager = await boot(role.url, 'rls', scopeMode);
      await (await manager.getDataSource(acme)).getRepository(Order).save([{ label: 'a1' }, { label: 'a2' }]);
      await (await manager.getDataSource(beta)).getRepository(Order).save({ label: 'b1' });
    });
    afterAll(() => manager?.onApplicationShutdown());

    it("streams the tenant's rows only", async () => {
      expect(await streamedLabels(await manager.getDataSource(acme))).toEqual(['a1', 'a2']);
      expect(await streamedLabels(await manager.getDataSource(beta))).toEqual(['b1']);
    });
  });
});
