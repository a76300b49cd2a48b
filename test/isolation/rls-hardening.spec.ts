import { Column, Entity, JoinTable, ManyToMany, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { createTenantRepository } from '../../libs/tenancy/src/connection/tenant-proxies';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { describeWith, pgAdmin, useOrdinaryRole, usePostgresDatabase } from '../support';
import { bootRls, rlsTenant, type RlsApp } from './rls-boot';

@Entity('memos')
class Memo extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

@Entity('tags')
class Tag extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

@Entity('posts')
class Post extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() title!: string;
  @ManyToMany(() => Tag)
  @JoinTable({ name: 'post_tags' })
  tags!: Tag[];
}

@Entity('customers')
class Customer extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}

@Entity('orders')
class Order extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Customer, { nullable: true }) customer!: Relation<Customer> | null;
}

@Entity('items')
class Item extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Customer, { onDelete: 'CASCADE' }) customer!: Relation<Customer>;
}

const ENTITIES = [Memo, Tag, Post, Customer, Order, Item];

describeWith('postgres', 'RLS covers what row security does not (issue 11)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const ctx = new TenantContext();
  const a = rlsTenant('acme');
  const b = rlsTenant('beta');
  let app: RlsApp;
  const repo = <T extends object>(e: new () => T) => createTenantRepository<T>(app.manager, e);
  const raw = async (t: typeof a, sql: string) => (await app.manager.getDataSource(t)).query(sql);

  beforeAll(async () => {
    app = await bootRls(role.url, ENTITIES);
  });
  afterAll(() => app?.close());

  describe('clear() and TRUNCATE', () => {
    it("clear() deletes the current tenant's rows only", async () => {
      await ctx.run(a, () => repo(Memo).insert([{ body: 'a-1' }, { body: 'a-2' }]));
      await ctx.run(b, () => repo(Memo).insert({ body: 'b-1' }));
      await ctx.run(a, () => repo(Memo).clear());
      expect(await ctx.run(a, () => repo(Memo).count())).toBe(0);
      expect((await ctx.run(b, () => repo(Memo).find())).map((m) => m.body)).toEqual(['b-1']);
    });

    it('refuses raw TRUNCATE through a tenant view, naming the table and the fix', async () => {
      await expect(raw(a, 'TRUNCATE memos')).rejects.toThrow(
        /TRUNCATE of tenant table public\.memos refused.*clear\(\)/,
      );
      await expect(raw(a, 'TRUNCATE memos CASCADE')).rejects.toThrow(/refused/);
      expect(await ctx.run(b, () => repo(Memo).count())).toBe(1);
    });
  });

  describe('many-to-many junction tables', () => {
    let pa: Post, ta: Tag, pb: Post, tb: Tag;
    const links = (t: typeof a, postId: number) =>
      ctx.run(t, async () => (await repo(Post).findOne({ where: { id: postId }, relations: { tags: true } }))!.tags);

    beforeAll(async () => {
      [pa, ta] = await ctx.run(a, async () => {
        const tag = await repo(Tag).save(repo(Tag).create({ label: 'a-tag' }));
        const post = await repo(Post).save(repo(Post).create({ title: 'a-post', tags: [tag] }));
        return [post, tag] as const;
      });
      [pb, tb] = await ctx.run(b, async () => {
        const tag = await repo(Tag).save(repo(Tag).create({ label: 'b-tag' }));
        return [await repo(Post).save(repo(Post).create({ title: 'b-post', tags: [] })), tag] as const;
      });
    });

    it("cannot add a link on another tenant's row (either side)", async () => {
      const rel = async () => (await app.manager.getDataSource(b)).createQueryBuilder().relation(Post, 'tags');
      await expect((await rel()).of(pa.id).add(tb.id)).rejects.toThrow(/same tenant/);
      await expect((await rel()).of(pb.id).add(ta.id)).rejects.toThrow(/same tenant/);
      expect(await links(b, pb.id)).toEqual([]);
    });

    it("cannot remove another tenant's links", async () => {
      const ds = await app.manager.getDataSource(b);
      await ds.createQueryBuilder().relation(Post, 'tags').of(pa.id).remove(ta.id);
      await ds.createQueryBuilder().relation(Post, 'tags').of(pa.id).addAndRemove([], [ta.id]);
      await raw(b, 'DELETE FROM post_tags');
      expect((await links(a, pa.id)).map((t) => t.label)).toEqual(['a-tag']);
    });

    it("cannot read another tenant's links with raw SQL; links carry their tenant", async () => {
      expect(await raw(b, 'SELECT count(*)::int AS c FROM post_tags')).toEqual([{ c: 0 }]);
      expect(await raw(a, 'SELECT "postsId", "tagsId", tenant_id FROM post_tags')).toEqual([
        { postsId: pa.id, tagsId: ta.id, tenant_id: a.id },
      ]);
    });

    it('keeps links and their tenant_id across a second start (synchronize)', async () => {
      const again = await bootRls(role.url, ENTITIES);
      await again.close();
      expect((await links(a, pa.id)).map((t) => t.label)).toEqual(['a-tag']);
      const [row] = await pgAdmin(db.url, 'SELECT tenant_id FROM post_tags');
      expect(row).toEqual({ tenant_id: a.id });
    });
  });

  describe('foreign keys stay within a tenant', () => {
    const customer = (t: typeof a, name: string) =>
      ctx.run(t, () => repo(Customer).save(repo(Customer).create({ name })));

    it("refuses a reference to another tenant's row, on insert and on update", async () => {
      const ca = await customer(a, 'a-cust');
      const cb = await customer(b, 'b-cust');
      await expect(ctx.run(b, () => repo(Order).insert({ customer: { id: ca.id } }))).rejects.toThrow(/same tenant/);
      const own = await ctx.run(b, () => repo(Order).save(repo(Order).create({ customer: cb })));
      await expect(ctx.run(b, () => repo(Order).update(own.id, { customer: { id: ca.id } }))).rejects.toThrow(
        /same tenant/,
      );
      await expect(raw(b, `UPDATE orders SET "customerId" = ${ca.id}`)).rejects.toThrow(/same tenant/);
      const rel = (await app.manager.getDataSource(b)).createQueryBuilder().relation(Order, 'customer');
      await expect(rel.of(own.id).set(ca.id)).rejects.toThrow(/same tenant/);
      expect(await ctx.run(b, () => repo(Order).count({ where: { customer: { id: ca.id } } }))).toBe(0);
    });

    it('lets a tenant delete its own row after another tried to reference it', async () => {
      const ca = await customer(a, 'a-deletable');
      await ctx.run(b, () => repo(Order).insert({ customer: { id: ca.id } })).catch(() => undefined);
      await ctx.run(a, () => repo(Customer).delete(ca.id));
      expect(await ctx.run(a, () => repo(Customer).findOneBy({ id: ca.id }))).toBeNull();
    });

    it("never cascades one tenant's delete into another tenant's rows", async () => {
      const ca = await customer(a, 'a-cascade');
      const cb = await customer(b, 'b-cascade');
      await ctx.run(b, () => repo(Item).insert({ customer: cb }));
      await ctx.run(b, () => repo(Item).insert({ customer: { id: ca.id } })).catch(() => undefined);
      const before = await ctx.run(b, () => repo(Item).count());
      await ctx.run(a, () => repo(Customer).delete(ca.id));
      expect(before).toBe(1);
      expect(await ctx.run(b, () => repo(Item).count())).toBe(1);
    });
  });

  it('instances starting together (rolling deploy) all start', async () => {
    const apps = await Promise.allSettled([1, 2, 3, 4].map(() => bootRls(role.url, ENTITIES)));
    await Promise.all(apps.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    expect(apps.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started'))).toEqual(Array(4).fill('started'));
  });

  it('in scopeMode transaction: links carry their tenant, clear() and TRUNCATE stay scoped', async () => {
    const tx = await bootRls(role.url, ENTITIES, { scopeMode: 'transaction' });
    try {
      const ds = await tx.manager.getDataSource(b);
      const [post, tag] = [
        await ds.getRepository(Post).save({ title: 'b-tx' }),
        await ds.getRepository(Tag).save({ label: 'b-tx' }),
      ];
      await ds.createQueryBuilder().relation(Post, 'tags').of(post.id).add(tag.id);
      expect(await ds.query('SELECT tenant_id FROM post_tags WHERE "postsId" = $1', [post.id])).toEqual([
        { tenant_id: b.id },
      ]);
      await ds.getRepository(Memo).save({ body: 'b-tx' });
      await ds.getRepository(Memo).clear();
      expect(await ds.getRepository(Memo).count()).toBe(0);
      await expect(ds.query('TRUNCATE memos')).rejects.toThrow(/refused/);
    } finally {
      await tx.close();
    }
  });

  describe('the tenants registry', () => {
    beforeAll(async () => {
      await app.store.create({ identifier: 'reg-one', name: 'One', isolationStrategy: 'rls' });
      await app.store.create({ identifier: 'reg-two', name: 'Two', isolationStrategy: 'rls' });
    });

    it('is invisible and unwritable from tenant scope, and still serves the store', async () => {
      expect(await raw(a, 'SELECT count(*)::int AS c FROM tenants')).toEqual([{ c: 0 }]);
      expect(await raw(a, 'SELECT count(*)::int AS c FROM public.tenants WHERE database_url IS NULL')).toEqual([
        { c: 0 },
      ]);
      await raw(a, "UPDATE tenants SET name = 'pwned', status = 'active'");
      await raw(a, 'DELETE FROM tenants');
      await expect(
        raw(
          a,
          'INSERT INTO tenants (id, identifier, name, status, isolation_strategy, tier, metadata, created_at, ' +
            "updated_at) VALUES (gen_random_uuid(), 'forged', 'F', 'active', 'rls', 'standard', '{}', now(), now())",
        ),
      ).rejects.toThrow(/row-level security/);
      const names = (await app.store.list({})).map((t) => t.name).sort();
      expect(names).toEqual(['One', 'Two']);
    });

    it('is out of reach in scopeMode transaction too, where the store still works', async () => {
      const tx = await bootRls(role.url, ENTITIES, { scopeMode: 'transaction' });
      try {
        expect((await tx.store.getByIdentifier('reg-one')).name).toBe('One');
        const ds = await tx.manager.getDataSource(a);
        expect(await ds.query('SELECT count(*)::int AS c FROM tenants')).toEqual([{ c: 0 }]);
        expect(await ds.transaction((m) => m.query('SELECT count(*)::int AS c FROM tenants'))).toEqual([{ c: 0 }]);
      } finally {
        await tx.close();
      }
    });
  });
});
