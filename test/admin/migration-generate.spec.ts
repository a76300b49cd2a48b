import { TenantConnectionManager, createTenantMigrationDataSource, type TenancyModuleOptions } from 'nestjs-tenancy';
import {
  Column,
  DataSource,
  Entity,
  ManyToOne,
  PrimaryGeneratedColumn,
  type MigrationInterface,
  type QueryRunner,
  type Relation,
} from 'typeorm';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { bootAdmin } from './support/admin-app';

@Entity('gizmos')
class Gizmo {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

/** The entity change a migration is generated for: a new table with an enum column and a foreign key. */
@Entity('parts')
class Part {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'enum', enum: ['bolt', 'nut'], default: 'bolt' }) kind!: string;
  @ManyToOne(() => Gizmo) gizmo!: Relation<Gizmo>;
}

/** The release so far: written by hand, schema-neutral. */
class CreateGizmos1700000000301 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE gizmos (id serial PRIMARY KEY, label varchar NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE gizmos');
  }
}

/** What TypeORM's migration:generate writes from `log()` (down queries reversed), as a migration class. */
function generated(name: string, up: string[], down: string[]): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      for (const sql of up) await q.query(sql);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const sql of down) await q.query(sql);
    }
  };
}

/** Issue 12: migrations generated with TypeORM's CLI must run per tenant. */
describeWith(
  'postgres',
  "createTenantMigrationDataSource: TypeORM's migration:generate writes tenant-neutral SQL",
  () => {
    const db = usePostgresDatabase();

    it('the generated SQL has no schema qualifier and the migration runs (and reverts) in two tenants', async () => {
      // What a plain DataSource generates: the enum type is qualified with "public" (the bug).
      const plain = await new DataSource({ type: 'postgres', url: db.url, entities: [Gizmo, Part] }).initialize();
      const plainSql = (await plain.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
      await plain.destroy();
      expect(plainSql.join('\n')).toContain('"public".');

      // `typeorm migration:run -d <helper>`, then `typeorm migration:generate -d <helper>`.
      const helper = createTenantMigrationDataSource({
        databaseUrl: db.url,
        entities: [Gizmo, Part],
        migrations: [CreateGizmos1700000000301],
      });
      await helper.initialize();
      let up: string[];
      let down: string[];
      try {
        await helper.runMigrations();
        const sql = await helper.driver.createSchemaBuilder().log();
        up = sql.upQueries.map((q) => q.query);
        down = sql.downQueries.map((q) => q.query).reverse(); // as migration:generate writes them
      } finally {
        await helper.destroy();
      }
      expect(up.join('\n')).toMatch(/CREATE TYPE "parts_kind_enum"/);
      expect(up.join('\n')).toMatch(/CREATE TABLE "parts"/);
      for (const sql of [...up, ...down]) expect(sql).not.toMatch(/"(public|tenancy_template|gn_[a-z_]+)"\./);
      // The template lives in its own schema; public is untouched.
      expect(await pgAdmin(db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);

      const AddParts = generated('AddParts1700000000302', up, down);
      const options: TenancyModuleOptions = {
        databaseUrl: db.url,
        isolationStrategy: 'schema',
        schemaPrefix: 'gn_',
        entities: [Gizmo, Part],
        migrations: [CreateGizmos1700000000301, AddParts],
        poolSize: 3,
        cacheEnabled: false,
      };
      const app = await bootAdmin(options);
      try {
        for (const id of ['gen-a', 'gen-b']) {
          const tenant = await app.admin.register({ identifier: id, name: id });
          const ds = await app.ref.get(TenantConnectionManager).getDataSource(tenant);
          const gizmo = await ds.getRepository(Gizmo).save({ label: id });
          await ds.getRepository(Part).save({ kind: 'nut', gizmo });
          expect(await ds.getRepository(Part).count()).toBe(1);
        }
        const types = await pgAdmin(
          db.url,
          "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'parts_kind_enum' ORDER BY 1",
        );
        expect(types.map((r) => r.nspname)).toEqual(['gn_gen_a', 'gn_gen_b']);
        const reverted = await app.admin.revertMigration({ tenants: ['gen-a', 'gen-b'] });
        expect(reverted.results.map((r) => [r.tenant, r.status, r.applied])).toEqual([
          ['gen-a', 'reverted', ['AddParts1700000000302']],
          ['gen-b', 'reverted', ['AddParts1700000000302']],
        ]);
      } finally {
        await app.close();
      }
    }, 90_000);
  },
);
