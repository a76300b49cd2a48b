import {
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Post,
  Scope,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { InjectTenantRepository, TenancyModule } from 'nestjs-tenancy';
import type { Repository } from 'typeorm';
import { Order, ordersOn, type OrdersPort } from './entities';
import { configurePlumbing, plumbingProviders, type Plumbing } from './plumbing';
import { rlsSketchModule, schemaSketchModule } from './sketches';

/** One app variant, as the parent describes it to a child (JSON in BENCH_SPEC). */
export interface VariantSpec {
  /** Label in the tables, e.g. `schema` or `rls/fastify`. */
  name: string;
  kind: 'baseline' | 'tenancy' | 'request-scope' | 'schema-sketch' | 'rls-sketch';
  strategy?: 'schema' | 'rls' | 'database';
  adapter: 'express' | 'fastify';
  /** Root URL (carries `application_name`, so backends can be counted per child). */
  url: string;
  poolSize: number;
  /** RLS: the owner role's URL (`migrationDatabaseUrl`). */
  ownerUrl?: string;
  databaseUrlTemplate?: string;
  databasePrefix?: string;
  maxCachedDataSources?: number;
  l1CacheMaxSize?: number;
  /** Baseline only (`--diagnose`): add one piece of the library's per-request plumbing. */
  plumbing?: Plumbing[];
  /** RLS sketch: tenant id per identifier (the library reads it from its tenants table). */
  tenantIds?: Record<string, string>;
  /** Count pg `Client#query` calls (round trips) in the child. */
  countQueries: boolean;
}

const ORDERS = Symbol('orders');

@Controller('orders')
class OrdersController {
  constructor(@Inject(ORDERS) private readonly orders: OrdersPort) {}
  @Get() list(): Promise<Order[]> {
    return this.orders.list();
  }
  @Post() create(@Body() body: { label?: string }): Promise<Order> {
    return this.orders.create(String(body?.label ?? 'bench'));
  }
}

/** Baseline: a plain DataSource in one schema, no tenancy at all (@nestjs/typeorm is not installed). */
function baselineModule(spec: VariantSpec): new () => unknown {
  @Injectable()
  class Closer implements OnApplicationShutdown {
    constructor(private readonly ds: DataSource) {}
    async onApplicationShutdown(): Promise<void> {
      await this.ds.destroy();
    }
  }
  @Module({
    controllers: [OrdersController],
    providers: [
      {
        provide: DataSource,
        useFactory: () =>
          new DataSource({
            type: 'postgres',
            url: spec.url,
            schema: 'base',
            entities: [Order],
            poolSize: spec.poolSize,
          }).initialize(),
      },
      { provide: ORDERS, useFactory: (ds: DataSource) => ordersOn(ds.getRepository(Order)), inject: [DataSource] },
      Closer,
      ...plumbingProviders(spec.plumbing),
    ],
  })
  class BaselineModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      configurePlumbing(consumer, spec.plumbing);
    }
  }
  return BaselineModule;
}

@Injectable()
class TenantOrders {
  readonly port: OrdersPort;
  constructor(@InjectTenantRepository(Order) repo: Repository<Order>) {
    this.port = ordersOn(repo);
  }
}

/** The library: header resolution, warm cache, one strategy. */
function tenancyModule(spec: VariantSpec): new () => unknown {
  @Module({
    imports: [
      TenancyModule.forRoot({
        databaseUrl: spec.url,
        migrationDatabaseUrl: spec.ownerUrl,
        isolationStrategy: spec.strategy,
        databaseUrlTemplate: spec.databaseUrlTemplate,
        databasePrefix: spec.databasePrefix,
        entities: [Order],
        poolSize: spec.poolSize,
        maxCachedDataSources: spec.maxCachedDataSources,
        l1CacheMaxSize: spec.l1CacheMaxSize,
        l1CacheTtlSeconds: 3600,
      }),
      TenancyModule.forFeature([Order]),
    ],
    controllers: [OrdersController],
    providers: [TenantOrders, { provide: ORDERS, useFactory: (o: TenantOrders) => o.port, inject: [TenantOrders] }],
  })
  class TenancyBenchModule {}
  return TenancyBenchModule;
}

/**
 * What teams hand-write today (context only, never in libs/): a `Scope.REQUEST` provider that
 * picks a per-tenant DataSource (its own pool) from the header. No tenant lookup at all.
 */
function requestScopeModule(spec: VariantSpec): new () => unknown {
  @Injectable()
  class PerTenantDataSources implements OnApplicationShutdown {
    private readonly sources = new Map<string, Promise<DataSource>>();
    get(identifier: string): Promise<DataSource> {
      if (!/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(identifier)) return Promise.reject(new Error('bad tenant'));
      let ds = this.sources.get(identifier);
      if (!ds) {
        const schema = `t_${identifier.replaceAll('-', '_')}`;
        ds = new DataSource({
          type: 'postgres',
          url: spec.url,
          schema,
          entities: [Order],
          poolSize: spec.poolSize,
        }).initialize();
        this.sources.set(identifier, ds);
      }
      return ds;
    }
    async onApplicationShutdown(): Promise<void> {
      for (const ds of this.sources.values()) await (await ds).destroy();
    }
  }
  @Injectable({ scope: Scope.REQUEST })
  class RequestOrders implements OrdersPort {
    private readonly ds: Promise<DataSource>;
    constructor(@Inject(REQUEST) req: { headers: Record<string, string> }, sources: PerTenantDataSources) {
      this.ds = sources.get(String(req.headers['x-tenant-id']));
    }
    async list(): Promise<Order[]> {
      return ordersOn((await this.ds).getRepository(Order)).list();
    }
    async create(label: string): Promise<Order> {
      return ordersOn((await this.ds).getRepository(Order)).create(label);
    }
  }
  @Module({
    controllers: [OrdersController],
    providers: [PerTenantDataSources, { provide: ORDERS, useClass: RequestOrders }],
  })
  class RequestScopeModule {}
  return RequestScopeModule;
}

export function moduleFor(spec: VariantSpec): new () => unknown {
  if (spec.kind === 'baseline') return baselineModule(spec);
  if (spec.kind === 'request-scope') return requestScopeModule(spec);
  if (spec.kind === 'schema-sketch') return schemaSketchModule(spec);
  if (spec.kind === 'rls-sketch') return rlsSketchModule(spec);
  return tenancyModule(spec);
}
