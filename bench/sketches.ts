// Issue 13's two hand-written reference sketches (context only, never in libs/): what a team
// would write without the library. The library must cost no more app CPU per request (B7).
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  Controller,
  Get,
  Injectable,
  Module,
  Post,
  Body,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Order, ordersOn, type OrdersPort } from './entities';
import type { VariantSpec } from './variants';

interface PgClient {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}
type Release = (err?: unknown) => void;
interface PgDriver {
  master: unknown;
  obtainMasterConnection(): Promise<[PgClient, Release]>;
}

/** The tenant of the current request, set by a plain Nest middleware from the header. */
const current = new AsyncLocalStorage<string>();

function tenantMiddleware(
  req: { headers: Record<string, string | string[] | undefined> },
  _res: unknown,
  next: () => void,
): void {
  current.run(String(req.headers['x-tenant-id']), next);
}

function sketchModule(
  open: () => Promise<{ orders(identifier: string): OrdersPort; close(): Promise<void> }>,
): new () => unknown {
  @Injectable()
  class Tenancy implements OnModuleInit, OnApplicationShutdown {
    private opened?: { orders(identifier: string): OrdersPort; close(): Promise<void> };
    async onModuleInit(): Promise<void> {
      this.opened = await open();
    }
    orders(): OrdersPort {
      return this.opened!.orders(current.getStore()!);
    }
    async onApplicationShutdown(): Promise<void> {
      await this.opened?.close();
    }
  }
  @Controller('orders')
  class SketchController {
    constructor(private readonly tenancy: Tenancy) {}
    @Get() list(): Promise<Order[]> {
      return this.tenancy.orders().list();
    }
    @Post() create(@Body() body: { label?: string }): Promise<Order> {
      return this.tenancy.orders().create(String(body?.label ?? 'bench'));
    }
  }
  @Module({ controllers: [SketchController], providers: [Tenancy] })
  class SketchModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(tenantMiddleware).forRoutes('*');
    }
  }
  return SketchModule;
}

/**
 * Schema sketch: one pool; per tenant a DataSource whose metadata carries the tenant's schema
 * (so TypeORM qualifies every table), built once and cached, borrowing the root's pool.
 */
export function schemaSketchModule(spec: VariantSpec): new () => unknown {
  return sketchModule(async () => {
    const options = { type: 'postgres' as const, url: spec.url, entities: [Order], poolSize: spec.poolSize };
    const root = await new DataSource({ ...options, schema: 'public' }).initialize();
    const ports = new Map<string, Promise<OrdersPort>>();
    const build = async (identifier: string): Promise<OrdersPort> => {
      if (!/^s-\d{5}$/.test(identifier)) throw new Error('bad tenant');
      const ds = new DataSource({ ...options, schema: `t_${identifier.replace('-', '_')}` });
      await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
      const from = root.driver as unknown as Record<string, unknown>;
      for (const key of ['master', 'version', 'database', 'searchSchema', 'isGeneratedColumnsSupported'])
        (ds.driver as unknown as Record<string, unknown>)[key] = from[key];
      Object.assign(ds, { isInitialized: true });
      return ordersOn(ds.getRepository(Order));
    };
    const sync = new Map<string, OrdersPort>();
    return {
      orders: (identifier) => {
        const known = sync.get(identifier);
        if (known) return known;
        let port = ports.get(identifier);
        if (!port) ports.set(identifier, (port = build(identifier)));
        // First request of a tenant: wait for its metadata (cold path only).
        const lazy: OrdersPort = {
          list: () => port.then((p) => (sync.set(identifier, p), p.list())),
          create: (label) => port.then((p) => (sync.set(identifier, p), p.create(label))),
        };
        return lazy;
      },
      close: () => root.destroy(),
    };
  });
}

/**
 * RLS sketch: one DataSource (ordinary role); on checkout one `set_config` of the tenant,
 * skipped when the connection already carries it, never reset.
 */
export function rlsSketchModule(spec: VariantSpec): new () => unknown {
  return sketchModule(async () => {
    const ids = spec.tenantIds ?? {};
    const ds = await new DataSource({
      type: 'postgres',
      url: spec.url,
      schema: 'public',
      entities: [Order],
      poolSize: spec.poolSize,
    }).initialize();
    const driver = ds.driver as unknown as PgDriver;
    const obtain = driver.obtainMasterConnection.bind(driver);
    const carried = new WeakMap<PgClient, string>();
    driver.obtainMasterConnection = async () => {
      const [client, release] = await obtain();
      const tenant = ids[current.getStore()!];
      if (!tenant) {
        release(new Error('no tenant'));
        throw new Error('no tenant');
      }
      if (carried.get(client) !== tenant) {
        await client.query("SELECT set_config('app.current_tenant', $1, false)", [tenant]);
        carried.set(client, tenant);
      }
      return [client, release];
    };
    const port = ordersOn(ds.getRepository(Order));
    return { orders: () => port, close: () => ds.destroy() };
  });
}
