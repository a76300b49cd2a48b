import {
  Column,
  Entity,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
  type MigrationInterface,
  type QueryRunner,
  type Relation,
} from 'typeorm';
import { createTenantRepository } from '../../libs/tenancy/src/connection/tenant-proxies';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import {
  TRUNCATE_GUARD_FUNCTION,
  sameTenantForeignKeyStatements,
  truncateGuardStatements,
} from '../../libs/tenancy/src/isolation/dialects/postgres-rls-hardening.ddl';
import { rlsStatements } from '../../libs/tenancy/src/isolation/dialects/postgres-rls.ddl';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { describeWith, pgAdmin, serviceUrl, uniqueToken, withDatabase } from '../support';
import { bootRls, rlsTenant } from './rls-boot';

@Entity('memos')
class Memo extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

@Entity('customers')
class Customer extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('orders')
class Order extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => Customer, { nullable: true }) customer!: Relation<Customer> | null;
}

@Entity('tags')
class Tag extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('posts')
class Post extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToMany(() => Tag)
  @JoinTable({ name: 'post_tags' })
  tags!: Tag[];
}

/** Scratch databases and roles of this file, dropped in afterAll (databases first). */
function useScratch() {
  const made = { dbs: [] as string[], roles: [] as string[] };
  afterAll(async () => {
    const admin = serviceUrl('postgres');
    for (const d of made.dbs) await pgAdmin(admin, `DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
    for (const r of made.roles) await pgAdmin(admin, `DROP ROLE IF EXISTS "${r}"`);
  });
  return {
    /** A fresh database plus an owner role (may create in public) and a runtime role (may not). */
    async database(runtimeAttrs = 'NOSUPERUSER NOBYPASSRLS') {
      const token = uniqueToken();
      const name = `tt_${token}`;
      const [owner, runtime] = [`tt_own_${token}`, `tt_run_${token}`];
      const admin = serviceUrl('postgres');
      await pgAdmin(admin, `CREATE DATABASE "${name}"`);
      made.dbs.push(name);
      made.roles.push(owner, runtime);
      const superUrl = withDatabase(admin, name);
      await pgAdmin(
        superUrl,
        `CREATE ROLE "${owner}" LOGIN PASSWORD 'tenancy' NOSUPERUSER NOBYPASSRLS`,
        `CREATE ROLE "${runtime}" LOGIN PASSWORD 'tenancy' ${runtimeAttrs} NOCREATEDB NOCREATEROLE`,
        `GRANT CONNECT ON DATABASE "${name}" TO "${owner}", "${runtime}"`,
        `GRANT USAGE, CREATE ON SCHEMA public TO "${owner}"`,
        `GRANT USAGE ON SCHEMA public TO "${runtime}"`,
      );
      const as = (role: string) => {
        const u = new URL(superUrl);
        u.username = role;
        u.password = 'tenancy';
        return u.toString();
      };
      return { superUrl, ownerUrl: as(owner), runtimeUrl: as(runtime), runtime };
    },
  };
}

const tablesIn = async (url: string) =>
  (await pgAdmin(url, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"))
    .map((r) => r.relname)
    .sort();

describeWith('postgres', 'RLS with a separate owner role (issue 14)', () => {
  const scratch = useScratch();
  const ctx = new TenantContext();
  const a = rlsTenant('acme');
  const b = rlsTenant('beta');

  it('starts as a data-only runtime role, isolates, and leaves it no way around row security', async () => {
    const db = await scratch.database();
    const app = await bootRls(db.runtimeUrl, [Memo], { migrationDatabaseUrl: db.ownerUrl });
    try {
      const memos = createTenantRepository<Memo>(app.manager, Memo);
      await ctx.run(a, () => memos.insert({ body: 'a-1' }));
      await ctx.run(b, () => memos.insert({ body: 'b-1' }));
      expect((await ctx.run(a, () => memos.find())).map((m) => m.body)).toEqual(['a-1']);
      expect((await app.store.create({ identifier: 'one', name: 'One', isolationStrategy: 'rls' })).name).toBe('One');
      const ds = await app.manager.getDataSource(a);
      await expect(ds.query('ALTER TABLE memos DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
      await expect(ds.query('ALTER TABLE memos NO FORCE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
      await expect(ds.query('ALTER TABLE tenants DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
      await expect(ds.query('TRUNCATE memos')).rejects.toThrow(/permission denied/);
    } finally {
      await app.close();
    }
    const owners = await pgAdmin(
      db.superUrl,
      "SELECT DISTINCT pg_get_userbyid(relowner) AS o FROM pg_class WHERE relname IN ('memos', 'tenants')",
    );
    expect(owners).toEqual([{ o: new URL(db.ownerUrl).username }]);
  });

  it.each([
    ['is a superuser', 'SUPERUSER', /is a superuser/],
    ['has BYPASSRLS', 'NOSUPERUSER BYPASSRLS', /has BYPASSRLS/],
  ])('refuses a runtime role that %s, before creating anything', async (_why, attrs, message) => {
    const db = await scratch.database(attrs);
    await expect(bootRls(db.runtimeUrl, [Memo], { migrationDatabaseUrl: db.ownerUrl })).rejects.toThrow(message);
    await expect(bootRls(db.runtimeUrl, [Memo])).rejects.toThrow(message);
    expect(await tablesIn(db.superUrl)).toEqual([]);
  });

  it.each([
    ['owns a tenant table', (r: string) => `ALTER TABLE memos OWNER TO "${r}"`, /public\.memos \(owns it\)/],
    [
      'can TRUNCATE a tenant table',
      (r: string) => `GRANT TRUNCATE ON memos TO "${r}"`,
      /public\.memos \(may TRUNCATE it\)/,
    ],
    ['owns the registry', (r: string) => `ALTER TABLE tenants OWNER TO "${r}"`, /public\.tenants \(owns it\)/],
  ])('refuses a runtime role that %s', async (_why, grant, message) => {
    const db = await scratch.database();
    await (await bootRls(db.runtimeUrl, [Memo], { migrationDatabaseUrl: db.ownerUrl })).close();
    await pgAdmin(db.superUrl, grant(db.runtime));
    await expect(bootRls(db.runtimeUrl, [Memo], { migrationDatabaseUrl: db.ownerUrl })).rejects.toThrow(message);
  });

  it('refuses the owner URL connecting as the runtime role itself', async () => {
    const db = await scratch.database();
    await expect(bootRls(db.runtimeUrl, [Memo], { migrationDatabaseUrl: db.runtimeUrl })).rejects.toThrow(
      /TENANCY_MIGRATION_DATABASE_URL \(option migrationDatabaseUrl\) connects as the same role/,
    );
  });
});

/** Statements the test migration runs (each test leaves some out to test start-up verification). */
let migrationSql: string[] = [];
class CreateMemos1700000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    for (const sql of migrationSql) await q.query(sql);
  }
  async down(): Promise<void> {}
}

/** What a migration must create for one entity table: the table, RLS and the TRUNCATE guard. */
const hardened = (table: string, columns: string) => [
  `CREATE TABLE ${table} (id serial PRIMARY KEY, tenant_id varchar(36)${columns})`,
  ...rlsStatements({ schema: 'public', table }),
  ...truncateGuardStatements(table),
];
const ORDERS_FK = { table: 'orders', columns: ['customerId'], referencedTable: 'customers', referencedColumns: ['id'] };

const MEMOS_DDL = [
  'CREATE TABLE memos (id serial PRIMARY KEY, body varchar NOT NULL, tenant_id varchar(36))',
  ...rlsStatements({ schema: 'public', table: 'memos' }),
  TRUNCATE_GUARD_FUNCTION,
  ...truncateGuardStatements('memos'),
];

describeWith('postgres', 'RLS start-up verifies what migrations created', () => {
  const scratch = useScratch();
  const boot = async (sql: string[], entities: Function[] = [Memo]) => {
    migrationSql = sql;
    const db = await scratch.database();
    return bootRls(db.runtimeUrl, entities, {
      migrationDatabaseUrl: db.ownerUrl,
      migrations: [CreateMemos1700000000000],
    });
  };

  it('starts when the migrations created every piece', async () => {
    await (await boot(MEMOS_DDL)).close();
  });

  it.each([
    [
      'FORCE',
      (s: string) => s.includes('FORCE ROW'),
      /public\.memos lacks ENABLE\/FORCE ROW LEVEL SECURITY: ALTER TABLE/,
    ],
    ['the policy', (s: string) => s.startsWith('CREATE POLICY'), /public\.memos has no policy on app\.current_tenant/],
    ['the TRUNCATE guard', (s: string) => s.startsWith('CREATE TRIGGER'), /public\.memos lacks the TRUNCATE guard/],
    ['the table', (s: string) => s.startsWith('CREATE TABLE') || s.includes('memos'), /public\.memos is missing/],
  ])('refuses when %s is missing, naming the table and the fix', async (_what, drop, message) => {
    await expect(boot(MEMOS_DDL.filter((s) => !drop(s)))).rejects.toThrow(message);
  });

  it('refuses a foreign key between tenant tables without its same-tenant check', async () => {
    const ddl = [
      TRUNCATE_GUARD_FUNCTION,
      ...hardened('customers', ''),
      ...hardened('orders', ', "customerId" int REFERENCES customers(id)'),
    ];
    await expect(boot(ddl, [Customer, Order])).rejects.toThrow(
      /public\.orders lacks the same-tenant check of its foreign key \(customerId\) -> customers: CREATE OR REPLACE FUNCTION/,
    );
    await (await boot([...ddl, ...sameTenantForeignKeyStatements(ORDERS_FK)], [Customer, Order])).close();
  });

  it('refuses a junction table without tenant_id (and so without its policy)', async () => {
    const ddl = [
      TRUNCATE_GUARD_FUNCTION,
      ...hardened('tags', ''),
      ...hardened('posts', ''),
      'CREATE TABLE post_tags ("postsId" int NOT NULL REFERENCES posts(id) ON DELETE CASCADE, ' +
        '"tagsId" int NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY ("postsId", "tagsId"))',
    ];
    const refused = boot(ddl, [Tag, Post]);
    await expect(refused).rejects.toThrow(/public\.post_tags is a junction table without a NOT NULL tenant_id/);
    await expect(refused).rejects.toThrow(/public\.post_tags has no policy on app\.current_tenant/);
    await expect(refused).rejects.toThrow(
      /public\.post_tags lacks the same-tenant check of its foreign key \(postsId\)/,
    );
  });
});
