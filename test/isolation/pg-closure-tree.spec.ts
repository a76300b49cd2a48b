import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Column, Entity, PrimaryGeneratedColumn, Tree, TreeChildren, TreeParent, type Relation } from 'typeorm';
import type { EntityManager, TreeRepository } from 'typeorm';
import {
  InjectTenantEntityManager,
  TenancyModule,
  TenantConnectionManager,
  TenantContext,
  TenantScopedEntity,
  TenantStore,
  type Tenant,
  type TenantIsolation,
} from 'nestjs-tenancy';
import { TenantProvisioner } from '../../libs/tenancy/src/isolation/tenant-provisioner';
import { dropDatabasesLike } from '../reliability/support/pg-sandbox';
import { databaseTemplate, describeWith, pgAdmin, uniqueToken, useOrdinaryRole, usePostgresDatabase } from '../support';

/** A closure-table tree: TypeORM keeps a `<table>_closure` junction (ancestor, descendant) beside it. */
@Entity('ct_nodes')
@Tree('closure-table')
class Category extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent!: Relation<Category> | null;
  @TreeChildren() children!: Relation<Category[]>;
}

@Injectable()
class Handles {
  constructor(
    @InjectTenantEntityManager() readonly em: EntityManager,
    readonly context: TenantContext,
    readonly connections: TenantConnectionManager,
  ) {}
}

const PLAN: ReadonlyArray<readonly [string, TenantIsolation]> = [
  ['ct-rls', 'rls'],
  ['ct-rls-two', 'rls'],
  ['ct-schema', 'schema'],
  ['ct-database', 'database'],
];

/**
 * Closure-table trees (`@Tree('closure-table')`, TreeRepository) on every PostgreSQL strategy at
 * once (hybrid: an RLS, a schema and a database tenant in one app, as an ordinary role): each
 * tenant's tree operations see and write its own nodes and closure rows only (issue 11). Under RLS
 * the closure junction carries `tenant_id` and the policy, like a many-to-many junction.
 */
describeWith('postgres', 'closure-table trees on PostgreSQL (rls, schema, database)', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  const prefix = `ct${uniqueToken().slice(-8)}_`;
  let app: INestApplicationContext;
  let handles: Handles;
  const tenants: Tenant[] = [];
  afterAll(async () => {
    await app?.close();
    await dropDatabasesLike(db.adminUrl, prefix);
  });

  beforeAll(async () => {
    @Module({
      imports: [
        TenancyModule.forRoot({
          databaseUrl: role.url,
          isolationStrategy: 'hybrid',
          standardIsolationStrategy: 'rls',
          premiumIsolationStrategy: 'database',
          entities: [Category],
          cacheEnabled: false,
          poolSize: 2,
          schemaPrefix: 'ct_',
          databasePrefix: prefix,
          databaseUrlTemplate: databaseTemplate(db.adminUrl),
        }),
        TenancyModule.forFeature([Category]),
      ],
      providers: [Handles],
    })
    class ClosureModule {}
    app = await (await Test.createTestingModule({ imports: [ClosureModule] }).compile()).init();
    handles = app.get(Handles);
    const store = app.get<TenantStore>(TenantStore);
    const provisioner = app.get(TenantProvisioner);
    for (const [identifier, strategy] of PLAN) {
      const tenant = await store.create({
        identifier,
        name: identifier,
        isolationStrategy: strategy,
        status: 'active',
        tier: strategy === 'database' ? 'premium' : 'standard',
      });
      // The ordinary role may not CREATE DATABASE: the operator does, the provisioner finds it.
      if (strategy === 'database')
        await pgAdmin(db.adminUrl, `CREATE DATABASE "${prefix}${identifier.replace(/-/g, '_')}"`);
      await provisioner.createStorage(tenant);
      await provisioner.migrate(tenant);
      tenants.push(tenant);
    }
    for (const tenant of tenants) {
      await inTenant(tenant, async (trees) => {
        const root = await trees.save(trees.create({ name: `${tenant.identifier}-root` }));
        const child = await trees.save(trees.create({ name: `${tenant.identifier}-child`, parent: root }));
        await trees.save(trees.create({ name: `${tenant.identifier}-leaf`, parent: child }));
      });
    }
  });

  function inTenant<T>(tenant: Tenant, fn: (trees: TreeRepository<Category>) => Promise<T>) {
    return handles.context.run(tenant, async () => {
      // As the guard does: a database tenant's DataSource connected before synchronous members.
      await handles.connections.getDataSource(tenant);
      return fn(handles.em.getTreeRepository(Category));
    });
  }
  const names = (nodes: Category[]) => nodes.map((n) => n.name).sort();
  const own = (t: Tenant, ...parts: string[]) => parts.map((p) => `${t.identifier}-${p}`).sort();

  describe.each(PLAN)('as %s (%s)', (identifier) => {
    const tenant = () => tenants.find((t) => t.identifier === identifier)!;

    it('findTrees() returns its own tree only', async () => {
      const flat: string[] = [];
      const walk = (n: Category) => (flat.push(n.name), n.children.forEach(walk));
      (await inTenant(tenant(), (trees) => trees.findTrees())).forEach(walk);
      expect(flat.sort()).toEqual(own(tenant(), 'root', 'child', 'leaf'));
    });

    it('findDescendants(), findAncestors() and countDescendants() stay in the tenant', async () => {
      const t = tenant();
      const seen = await inTenant(t, async (trees) => {
        const root = await trees.findOneByOrFail({ name: `${t.identifier}-root` });
        const leaf = await trees.findOneByOrFail({ name: `${t.identifier}-leaf` });
        return {
          descendants: names(await trees.findDescendants(root)),
          ancestors: names(await trees.findAncestors(leaf)),
          count: await trees.countDescendants(root),
          roots: names(await trees.findRoots()),
        };
      });
      expect(seen).toEqual({
        descendants: own(t, 'root', 'child', 'leaf'),
        ancestors: own(t, 'root', 'child', 'leaf'),
        count: 3,
        roots: own(t, 'root'),
      });
    });

    it('raw SQL on the closure table sees its own rows only', async () => {
      const rows = await inTenant(tenant(), () =>
        handles.em.query(
          'SELECT n.name FROM ct_nodes_closure c JOIN ct_nodes n ON n.id = c.id_descendant ORDER BY n.name',
        ),
      );
      // root: 3 descendants (itself included), child: 2, leaf: 1.
      expect((rows as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(
        [...own(tenant(), 'root'), ...own(tenant(), 'child', 'child'), ...own(tenant(), 'leaf', 'leaf', 'leaf')].sort(),
      );
    });
  });

  it('labels every closure row of the RLS tenants with the tenant of its nodes', async () => {
    const rows = await pgAdmin(
      db.url,
      'SELECT c.tenant_id::text AS closure, a.tenant_id::text AS ancestor, d.tenant_id::text AS descendant ' +
        'FROM public.ct_nodes_closure c JOIN public.ct_nodes a ON a.id = c.id_ancestor ' +
        'JOIN public.ct_nodes d ON d.id = c.id_descendant',
    );
    const rls = tenants.filter((t) => t.isolationStrategy === 'rls').map((t) => t.id);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.closure))).toEqual(new Set(rls));
    expect(rows.filter((r) => r.closure !== r.ancestor || r.closure !== r.descendant)).toEqual([]);
  });
});
