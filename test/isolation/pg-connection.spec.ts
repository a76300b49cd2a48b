import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TenancyDataSources } from '../../libs/tenancy/src/connection/tenancy-data-sources';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { createTenantRepository } from '../../libs/tenancy/src/connection/tenant-proxies';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { connectManager } from './support/connection-manager';

@Entity('orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

const tenant = (identifier: string, isolationStrategy: Tenant['isolationStrategy'] = 'schema'): Tenant => ({
  id: `00000000-0000-4000-8000-${identifier
    .padStart(12, '0')
    .slice(-12)
    .replace(/[^0-9a-f]/g, 'a')}`,
  identifier,
  name: identifier,
  status: 'active',
  isolationStrategy,
  tier: 'standard',
  databaseUrl: null,
  metadata: {},
  createdAt: new Date(),
  updatedAt: new Date(),
});

describeWith('postgres', 'connection manager (PostgreSQL schema)', () => {
  const db = usePostgresDatabase();
  let sources: TenancyDataSources;
  let manager: TenantConnectionManager;
  const ctx = new TenantContext();
  const a = tenant('acme');
  const b = tenant('beta');

  beforeAll(async () => {
    await pgAdmin(
      db.url,
      'CREATE SCHEMA t_acme',
      'CREATE SCHEMA t_beta',
      'CREATE TABLE t_acme.orders (id serial primary key, label text not null)',
      'CREATE TABLE t_beta.orders (id serial primary key, label text not null)',
      'CREATE TABLE public.orders (id serial primary key, label text not null)',
      "INSERT INTO public.orders (label) VALUES ('public-row')",
      // Exists in public only: a search_path that still reached public would find it.
      'CREATE TABLE public.public_only (id serial primary key, label text not null)',
      "INSERT INTO public.public_only (label) VALUES ('public-row')",
    );
    ({ manager, sources } = await connectManager(
      { databaseUrl: db.url, entities: [Order], poolSize: 2 },
      { context: ctx },
    ));
  });
  afterAll(() => manager?.onApplicationShutdown());

  it('routes repository calls to the current tenant schema only', async () => {
    const repo = createTenantRepository<Order>(manager, Order);
    await ctx.run(a, () => repo.save({ label: 'a1' }));
    await ctx.run(b, () => repo.save({ label: 'b1' }));
    expect((await ctx.run(a, () => repo.find())).map((o) => o.label)).toEqual(['a1']);
    expect((await ctx.run(b, () => repo.find())).map((o) => o.label)).toEqual(['b1']);
  });

  it('scopes raw query() to the tenant schema and never falls back to public', async () => {
    const ds = await ctx.run(a, () => manager.getDataSource());
    expect(await ds.query('select label from orders')).toEqual([{ label: 'a1' }]);
    const dsB = await manager.getDataSource(b);
    await expect(dsB.query('select label from public_only')).rejects.toThrow(/relation "public_only" does not exist/);
    await expect(ctx.run(a, () => ds.query('select label from public_only'))).rejects.toThrow(/does not exist/);
  });

  it('leaves no search_path on idle pooled connections', async () => {
    const ds = await manager.getDataSource(a);
    await Promise.all([ds.query('select 1'), ds.query('select 2')]);
    await new Promise((r) => setTimeout(r, 50));
    const pool = (
      sources.root.driver as unknown as {
        master: { connect(): Promise<{ query(s: string): Promise<{ rows: Array<{ sp: string }> }>; release(): void }> };
      }
    ).master;
    const c1 = await pool.connect();
    const c2 = await pool.connect();
    try {
      for (const c of [c1, c2]) expect((await c.query('show search_path')).rows[0]).toEqual({ search_path: '' });
    } finally {
      c1.release();
      c2.release();
    }
  });

  it('throws outside a tenant', () => {
    const repo = createTenantRepository<Order>(manager, Order);
    expect(() => repo.find()).toThrow(/needs a current tenant/);
  });
});
