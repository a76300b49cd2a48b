import { Controller, Get, Injectable, Module, Param, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Repository } from 'typeorm';
import {
  InjectTenantRepository,
  TenancyModule,
  TenantConnectionManager,
  TenantContext,
  TenantStore,
  type Tenant,
  type TenantIsolation,
  type TenancyModuleOptions,
} from 'nestjs-tenancy';
import { TenantDatabaseOptions } from '../../../libs/tenancy/src/connection/tenant-database.options';
import { TenantProvisioner } from '../../../libs/tenancy/src/isolation/tenant-provisioner';
import { Customer, Order, OrdersService, ordersAppModule } from '../../fixtures/orders.fixture';
import { pgAdmin } from '../../support/harness';
import { CountingLogger } from './counting.logger';
import type { PgSandbox } from './pg-sandbox';

/** A tenant of the soak with the marker rows only it may ever see. */
export interface SoakTenant {
  readonly tenant: Tenant;
  readonly identifier: string;
  readonly strategy: TenantIsolation;
  /** Labels of its orders, in id order: `[<identifier>]#1`, `[<identifier>]#2`. */
  readonly labels: string[];
  readonly email: string;
  readonly orderIds: number[];
}

/** `[identifier]`: every marker carries its tenant in brackets, so any foreign one shows in a body. */
export const tag = (identifier: string) => `[${identifier}]`;

/** How handlers of `GET /soak/sleep/:ms` ended, even when nobody was left to read the response. */
@Injectable()
export class HandlerOutcomes {
  readonly outcomes: string[] = [];
}

/** A short transaction that holds its connection a little: the route clients disconnect from. */
@Controller('soak')
class SoakController {
  constructor(
    @InjectTenantRepository(Order) private readonly orders: Repository<Order>,
    private readonly connections: TenantConnectionManager,
    private readonly record: HandlerOutcomes,
  ) {}

  /** A transaction that sleeps `ms`, then reads: records `ok` or the error it died of. */
  @Get('sleep/:ms')
  async sleep(@Param('ms') ms: string) {
    try {
      const rows = await this.connections.transaction(async (em) => {
        await em.query('SELECT pg_sleep($1)', [Number(ms) / 1000]);
        return em.getRepository(Order).find({ order: { id: 'ASC' } });
      });
      this.record.outcomes.push('ok');
      return rows;
    } catch (error) {
      this.record.outcomes.push(`${(error as Error).name}: ${(error as Error).message}`);
      throw error;
    }
  }

  @Get('slow')
  slow() {
    return this.connections.transaction(async (em) => {
      await em.query('SELECT pg_sleep(0.005)');
      return em.getRepository(Order).find({ order: { id: 'ASC' } });
    });
  }

  @Get('count')
  async count() {
    return { count: await this.orders.count() };
  }
}

export interface SoakAppOptions {
  readonly sandbox: PgSandbox;
  readonly counts: Readonly<Record<TenantIsolation, number>>;
  readonly poolSize: number;
  readonly maxCachedDataSources: number;
  readonly extra?: Partial<TenancyModuleOptions>;
  /** Prefix of the identifiers (keep them unique on a shared Redis). Default none. */
  readonly idPrefix?: string;
  /** More controllers and providers for the app (they may inject tenant repositories of Order). */
  readonly controllers?: Array<new (...args: never[]) => unknown>;
  readonly providers?: Array<new (...args: never[]) => unknown>;
  /** HTTP adapter. Default `express`. */
  readonly adapter?: 'express' | 'fastify';
}

export interface SoakApp {
  readonly app: INestApplication;
  readonly port: number;
  readonly tenants: SoakTenant[];
  readonly logger: CountingLogger;
  /** Names of the tenant databases (database strategy). */
  readonly databases: string[];
  close(): Promise<void>;
}

/**
 * The hybrid app of the soak: standard tier on RLS, premium on database-per-tenant, and the
 * schema-placed tenants written with `isolationStrategy: 'schema'` (placement lives on the
 * tenant). Listens on loopback; every tenant seeded with its own marker rows.
 */
export async function bootSoakApp(o: SoakAppOptions): Promise<SoakApp> {
  const options: TenancyModuleOptions = {
    databaseUrl: o.sandbox.roleUrl,
    isolationStrategy: 'hybrid',
    standardIsolationStrategy: 'rls',
    premiumIsolationStrategy: 'database',
    databaseUrlTemplate: o.sandbox.databaseUrlTemplate,
    databasePrefix: o.sandbox.databasePrefix,
    schemaPrefix: 'sk_',
    entities: [Order, Customer],
    poolSize: o.poolSize,
    maxCachedDataSources: o.maxCachedDataSources,
    cacheEnabled: true,
    ...o.extra,
  };
  @Module({
    imports: [ordersAppModule(options), TenancyModule.forFeature([Order])],
    controllers: [SoakController, ...(o.controllers ?? [])],
    providers: [HandlerOutcomes, ...(o.providers ?? [])],
  })
  class SoakModule {}

  const logger = new CountingLogger();
  const ref = await Test.createTestingModule({ imports: [SoakModule] })
    .setLogger(logger)
    .compile();
  const app =
    o.adapter === 'fastify'
      ? ref.createNestApplication(new FastifyAdapter(), { logger })
      : ref.createNestApplication({ logger });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const port = Number(new URL(await app.getUrl()).port);
  const closeApp = () => app.close();
  try {
    const { tenants, databases } = await seedTenants(app, o);
    return { app, port, tenants, logger, databases, close: closeApp };
  } catch (error) {
    await closeApp();
    throw error;
  }
}

/** Identifiers per strategy: `s-000`, `r-000`, `d-000` (after `prefix`). */
function plan(counts: SoakAppOptions['counts'], prefix = ''): Array<[string, TenantIsolation]> {
  const out: Array<[string, TenantIsolation]> = [];
  for (const [strategy, n] of Object.entries(counts) as Array<[TenantIsolation, number]>) {
    for (let i = 0; i < n; i++) out.push([`${prefix}${strategy[0]}-${String(i).padStart(3, '0')}`, strategy]);
  }
  return out;
}

async function seedTenants(
  app: INestApplication,
  o: SoakAppOptions,
): Promise<{ tenants: SoakTenant[]; databases: string[] }> {
  const store = app.get<TenantStore>(TenantStore);
  const provisioner = app.get(TenantProvisioner);
  const dbOptions = app.get(TenantDatabaseOptions);
  const context = app.get(TenantContext);
  const service = app.get(OrdersService);
  const connections = app.get(TenantConnectionManager);
  const databases: string[] = [];
  const one = async ([identifier, strategy]: [string, TenantIsolation]): Promise<SoakTenant> => {
    const tenant = await store.create({
      identifier,
      name: identifier,
      isolationStrategy: strategy,
      status: 'active',
      tier: strategy === 'database' ? 'premium' : 'standard',
    });
    if (strategy === 'database') {
      // The app's role may not CREATE DATABASE (it must not bypass RLS either): the operator
      // creates it, the provisioner finds it and only creates the tables.
      const name = dbOptions.databaseName(tenant);
      databases.push(name);
      await pgAdmin(o.sandbox.adminUrl, `CREATE DATABASE "${name}"`);
    }
    await provisioner.createStorage(tenant);
    await provisioner.migrate(tenant);
    const email = `${tag(identifier)}@m.test`;
    const orders = await context.run(tenant, async () => {
      await connections.getDataSource(tenant);
      return [await service.create(`${tag(identifier)}#1`, email), await service.create(`${tag(identifier)}#2`)];
    });
    return {
      tenant,
      identifier,
      strategy,
      labels: orders.map((x) => x.label),
      email,
      orderIds: orders.map((x) => x.id),
    };
  };
  const tenants = await inBatches(plan(o.counts, o.idPrefix), 6, one);
  return { tenants, databases };
}

export async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}
