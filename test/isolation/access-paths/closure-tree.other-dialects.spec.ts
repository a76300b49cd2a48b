import { Injectable, Module, type INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, Entity, PrimaryGeneratedColumn, Tree, TreeChildren, TreeParent, type Relation } from 'typeorm';
import type { EntityManager } from 'typeorm';
import {
  InjectTenantEntityManager,
  TenancyModule,
  TenantAdminService,
  TenantConnectionManager,
  TenantContext,
  TenantScopedEntity,
  type TenancyModuleOptions,
  type Tenant,
} from 'nestjs-tenancy';
import {
  databaseNameFor,
  schemaNameFor,
  tablePrefixFor,
} from '../../../libs/tenancy/src/isolation/dialects/tenant-physical-names.util';
import { databaseTemplate, describeWith, mysqlAdmin, serviceUrl, useMysqlDatabase } from '../../support';
import { bootApp } from '../../support/tenancy-app';

/** A closure-table tree: TypeORM keeps every ancestor/descendant pair in `cl_nodes_closure`. */
@Entity('cl_nodes')
@Tree('closure-table')
class ClosureNode extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent!: Relation<ClosureNode> | null;
  @TreeChildren() children!: Relation<ClosureNode[]>;
}

@Injectable()
class Trees {
  constructor(@InjectTenantEntityManager() readonly em: EntityManager) {}
  get repo() {
    return this.em.getTreeRepository(ClosureNode);
  }
}

function treesModule(options: TenancyModuleOptions): new () => unknown {
  @Module({
    imports: [TenancyModule.forRoot(options), TenancyModule.forFeature([ClosureNode])],
    providers: [Trees],
  })
  class TreesModule {}
  return TreesModule;
}

type Row = Record<string, unknown>;
/** The admin's own read of a tenant's node and closure tables (never through the library). */
type AdminRead = (tenant: Tenant) => Promise<{ nodes: Row[]; closure: Row[] }>;

const sorted = (rows: Row[]) =>
  rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))).sort();
const names = (nodes: Array<{ name: string }>) => nodes.map((n) => n.name).sort();

/**
 * Issue 11: closure-table trees (`@Tree('closure-table')`, TreeRepository) on MariaDB schema and
 * database strategies and SQLite prefix and file modes. TypeORM's tree SQL joins the closure table,
 * which is rewritten like any tenant table: every read returns the acting tenant's nodes only, and
 * every write (a new child, a moved node, a removal) changes the acting tenant's node and closure
 * rows only. (PostgreSQL targets are not covered here.)
 */
function closureTreeChecks(options: () => TenancyModuleOptions, admin: () => AdminRead): () => void {
  return () => {
    let app: INestApplication;
    const tenants: Tenant[] = [];
    const ctx = () => app.get(TenantContext);
    const as = <T>(t: Tenant, fn: (trees: Trees['repo']) => Promise<T>): Promise<T> =>
      ctx().run(t, async () => {
        await app.get(TenantConnectionManager).getDataSource();
        return fn(app.get(Trees).repo);
      });
    const everyone = () => Promise.all(tenants.map((t) => admin()(t)));

    beforeAll(async () => {
      app = await bootApp(treesModule(options()));
      for (const k of ['a', 'b', 'c']) {
        const t = await app.get(TenantAdminService).register({ identifier: `cl-${k}`, name: `cl-${k}` });
        tenants.push(t);
        await as(t, async (repo) => {
          const root = await repo.save(repo.create({ name: `${k}-root` }));
          const child = await repo.save(repo.create({ name: `${k}-child`, parent: root }));
          await repo.save(repo.create({ name: `${k}-leaf`, parent: child }));
          await repo.save(repo.create({ name: `${k}-other`, parent: root }));
        });
      }
    });
    afterAll(async () => {
      for (const t of tenants)
        await app
          .get(TenantAdminService)
          .delete(t.id, { hard: true })
          .catch(() => undefined);
      await app?.close();
    });

    it('each tenant was seeded with its own nodes and closure rows only', async () => {
      const all = await everyone();
      all.forEach((s, i) => {
        const k = 'abc'[i];
        expect(names(s.nodes as Array<{ name: string }>)).toEqual([
          `${k}-child`,
          `${k}-leaf`,
          `${k}-other`,
          `${k}-root`,
        ]);
        expect(s.closure).toHaveLength(4 + 4); // four self pairs + root>child, root>leaf, root>other, child>leaf
      });
    });

    it('findTrees / findRoots / findDescendants / findAncestors / counts / *Tree read the tenant only', async () => {
      for (const [i, t] of tenants.slice(0, 2).entries()) {
        const k = 'abc'[i];
        const seen = await as(t, async (repo) => {
          const flat: string[] = [];
          const walk = (n: ClosureNode) => (flat.push(n.name), n.children.forEach(walk));
          (await repo.findTrees()).forEach(walk);
          const root = await repo.findOneByOrFail({ name: `${k}-root` });
          const leaf = await repo.findOneByOrFail({ name: `${k}-leaf` });
          const tree = await repo.findDescendantsTree(root);
          const up = await repo.findAncestorsTree(leaf);
          return {
            trees: flat.sort(),
            roots: names(await repo.findRoots()),
            descendants: names(await repo.findDescendants(root)),
            ancestors: names(await repo.findAncestors(leaf)),
            counts: [await repo.countDescendants(root), await repo.countAncestors(leaf)],
            tree: tree.children.map((c) => c.name).sort(),
            up: up.parent?.parent?.name,
            builder: names(await repo.createDescendantsQueryBuilder('n', 'c', root).getMany()),
          };
        });
        const own = [`${k}-child`, `${k}-leaf`, `${k}-other`, `${k}-root`];
        expect(seen).toEqual({
          trees: own,
          roots: [`${k}-root`],
          descendants: own,
          ancestors: [`${k}-child`, `${k}-leaf`, `${k}-root`],
          counts: [4, 3],
          tree: [`${k}-child`, `${k}-other`],
          up: `${k}-root`,
          builder: own,
        });
      }
    });

    it('adding, moving and removing nodes change the acting tenant only', async () => {
      const before = await everyone();
      await as(tenants[0], async (repo) => {
        const root = await repo.findOneByOrFail({ name: 'a-root' });
        const added = await repo.save(repo.create({ name: 'a-added', parent: root }));
        await repo.remove(await repo.findOneByOrFail({ name: 'a-other' }));
        const leaf = await repo.findOneByOrFail({ name: 'a-leaf' });
        leaf.parent = added;
        await repo.save(leaf);
      });
      const after = await everyone();
      expect(sorted(after[1].nodes)).toEqual(sorted(before[1].nodes));
      expect(sorted(after[1].closure)).toEqual(sorted(before[1].closure));
      expect(sorted(after[2].nodes)).toEqual(sorted(before[2].nodes));
      expect(sorted(after[2].closure)).toEqual(sorted(before[2].closure));
      expect(names(after[0].nodes as Array<{ name: string }>)).toEqual(['a-added', 'a-child', 'a-leaf', 'a-root']);
      const seen = await as(tenants[0], async (repo) => {
        const added = await repo.findOneByOrFail({ name: 'a-added' });
        return names(await repo.findDescendants(added));
      });
      expect(seen).toEqual(['a-added', 'a-leaf']);
      expect(after[0].nodes.every((r) => r.tenant_id === tenants[0].id)).toBe(true);
    });
  };
}

describeWith('mysql', 'closure-table trees: MariaDB', () => {
  const db = useMysqlDatabase();
  for (const strategy of ['schema', 'database'] as const) {
    const prefix = () => db.prefix.replace(/_$/, strategy === 'schema' ? 'cs_' : 'cd_');
    const options = (): TenancyModuleOptions => ({
      databaseUrl: db.url,
      isolationStrategy: strategy,
      cacheEnabled: false,
      poolSize: 2,
      ...(strategy === 'schema' ? { schemaPrefix: prefix() } : { databasePrefix: prefix() }),
      databaseUrlTemplate: databaseTemplate(serviceUrl('mysql')),
    });
    const read = (): AdminRead => async (t) => {
      const database =
        strategy === 'schema'
          ? schemaNameFor(prefix(), t.identifier, 'mysql')
          : databaseNameFor(prefix(), t.identifier, 'mysql');
      const url = serviceUrl('mysql');
      return {
        nodes: await mysqlAdmin(url, `SELECT * FROM \`${database}\`.cl_nodes`),
        closure: await mysqlAdmin(url, `SELECT * FROM \`${database}\`.cl_nodes_closure`),
      };
    };
    describe(strategy, closureTreeChecks(options, read));
  }
});

describe('closure-table trees: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-closure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const readSqlite = (file: string, prefix: string) => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return {
        nodes: db.prepare(`SELECT * FROM "${prefix}cl_nodes"`).all() as Row[],
        closure: db.prepare(`SELECT * FROM "${prefix}cl_nodes_closure"`).all() as Row[],
      };
    } finally {
      db.close();
    }
  };
  describe(
    'schema (table prefix)',
    closureTreeChecks(
      () => ({ databaseUrl: `sqlite:${join(dir, 'master.sqlite')}`, isolationStrategy: 'schema', cacheEnabled: false }),
      () => async (t) => readSqlite(join(dir, 'master.sqlite'), tablePrefixFor('t_', t.identifier)),
    ),
  );
  describe(
    'database (file)',
    closureTreeChecks(
      () => ({
        databaseUrl: `sqlite:${join(dir, 'master-db.sqlite')}`,
        databaseUrlTemplate: `sqlite:${join(dir, '{database_name}.sqlite')}`,
        databasePrefix: 'cl_',
        isolationStrategy: 'database',
        cacheEnabled: false,
      }),
      () => async (t) => readSqlite(join(dir, `${databaseNameFor('cl_', t.identifier, 'sqlite')}.sqlite`), ''),
    ),
  );
});
