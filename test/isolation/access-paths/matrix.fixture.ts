import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import {
  InjectTenantDataSource,
  InjectTenantEntityManager,
  InjectTenantRepository,
  TenancyModule,
  TenantConnectionManager,
  TenantContext,
  TenantStore,
  type TenancyModuleOptions,
  type Tenant,
  type TenantIsolation,
} from 'nestjs-tenancy';
import { TenantDatabaseOptions } from '../../../libs/tenancy/src/connection/tenant-database.options';
import { tablePrefixFor } from '../../../libs/tenancy/src/isolation/dialects/tenant-physical-names.util';
import { TenantProvisioner } from '../../../libs/tenancy/src/isolation/tenant-provisioner';
import { AdminView, type Location } from './admin-view';
import { Item, MATRIX_ENTITIES, Memo, Owner, Scratch, Tag, TreeNode } from './matrix.entities';
import type { Injected, Snapshot } from './matrix.types';

/** The handles an application injects, through the public decorators only. */
@Injectable()
class MatrixHandles implements Injected {
  constructor(
    @InjectTenantRepository(Item) readonly items: Repository<Item>,
    @InjectTenantRepository(Owner) readonly owners: Repository<Owner>,
    @InjectTenantRepository(Tag) readonly tags: Repository<Tag>,
    @InjectTenantRepository(TreeNode) readonly nodes: Repository<TreeNode>,
    @InjectTenantRepository(Scratch) readonly scratch: Repository<Scratch>,
    @InjectTenantRepository(Memo) readonly memos: Repository<Memo>,
    @InjectTenantEntityManager() readonly em: EntityManager,
    @InjectTenantDataSource() readonly ds: DataSource,
    readonly connections: TenantConnectionManager,
    readonly context: TenantContext,
  ) {}
}

/** A booted matrix app: the injected handles, three provisioned tenants, the admin's view. */
export interface MatrixApp {
  readonly injected: Injected;
  readonly tenants: Tenant[];
  snapshot(tenant: Tenant): Promise<Snapshot>;
  /** Where a tenant's rows physically are (what an attacker would name in raw SQL). */
  locate(tenant: Tenant): Location;
  close(): Promise<void>;
}

/** How the admin reaches a tenant's rows, given the app's own naming services. */
export type Locator = (tenant: Tenant, naming: Naming) => Location;
export interface Naming {
  schema(tenant: Tenant): string;
  databaseUrl(tenant: Tenant): string;
  databaseName(tenant: Tenant): string;
  tablePrefix(tenant: Tenant): string;
}

/**
 * Boots TenancyModule with the matrix entities and provisions `plan` (identifier, strategy);
 * `beforeStorage` runs for each tenant before its storage is created (e.g. the operator creating
 * a database the app's ordinary role may not create).
 */
export async function bootMatrixApp(
  options: TenancyModuleOptions,
  plan: ReadonlyArray<readonly [string, TenantIsolation]>,
  locate: Locator,
  beforeStorage?: (tenant: Tenant, naming: Naming) => Promise<void>,
): Promise<MatrixApp> {
  @Module({
    imports: [TenancyModule.forRoot(options), TenancyModule.forFeature(MATRIX_ENTITIES)],
    providers: [MatrixHandles],
  })
  class MatrixModule {}
  const ref = await Test.createTestingModule({ imports: [MatrixModule] }).compile();
  const app = await ref.init();
  let admin: AdminView | undefined;
  try {
    const naming = namingOf(app, options);
    const tenants: Tenant[] = [];
    for (const [identifier, strategy] of plan)
      tenants.push(await provision(app, identifier, strategy, beforeStorage, naming));
    admin = new AdminView((t) => locate(t, naming));
    const view = admin;
    return {
      injected: app.get(MatrixHandles),
      tenants,
      snapshot: (t) => view.snapshot(t),
      locate: (t) => locate(t, naming),
      close: async () => {
        await view.close();
        await app.close();
      },
    };
  } catch (error) {
    await admin?.close();
    await app.close();
    throw error;
  }
}

async function provision(
  app: INestApplicationContext,
  identifier: string,
  strategy: TenantIsolation,
  beforeStorage: ((tenant: Tenant, naming: Naming) => Promise<void>) | undefined,
  naming: Naming,
): Promise<Tenant> {
  const store = app.get<TenantStore>(TenantStore);
  const tier = strategy === 'database' ? 'premium' : 'standard';
  const tenant = await store.create({
    identifier,
    name: identifier,
    isolationStrategy: strategy,
    status: 'active',
    tier,
  });
  await beforeStorage?.(tenant, naming);
  const provisioner = app.get(TenantProvisioner);
  await provisioner.createStorage(tenant);
  await provisioner.migrate(tenant);
  return tenant;
}

function namingOf(app: INestApplicationContext, options: TenancyModuleOptions): Naming {
  const provisioner = app.get(TenantProvisioner);
  const databases = app.get(TenantDatabaseOptions);
  return {
    schema: (t) => provisioner.schemaName(t),
    databaseUrl: (t) => databases.urlFor(t),
    databaseName: (t) => databases.databaseName(t),
    tablePrefix: (t) => tablePrefixFor(options.schemaPrefix ?? 't_', t.identifier),
  };
}
