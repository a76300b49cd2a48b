import { setTimeout as sleep } from 'node:timers/promises';
import {
  Body,
  Controller,
  Get,
  INestApplication,
  MiddlewareConsumer,
  Module,
  NestModule,
  Post,
  type Provider,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { resolveTenancyOptions } from '../../../libs/tenancy/src/config/resolve-tenancy-options';
import type { TenancyModuleOptions } from '../../../libs/tenancy/src/config/tenancy-options.interface';
import { TenancyScopeMiddleware } from '../../../libs/tenancy/src/context/tenancy-scope.middleware';
import { TenantContext } from '../../../libs/tenancy/src/context/tenant-context';
import type { Tenant } from '../../../libs/tenancy/src/models/tenant.model';
import { CurrentTenant, SkipTenancy, TenantOptional } from '../../../libs/tenancy/src/resolution/decorators';
import {
  RESOLUTION_PROVIDERS,
  TENANCY_CONTEXT_INTERCEPTOR,
} from '../../../libs/tenancy/src/resolution/resolution.providers';
import { InMemoryTenantStore } from '../../../libs/tenancy/src/store/in-memory-tenant.store';
import { TenantStore } from '../../../libs/tenancy/src/store/tenant-store.interface';
import { TENANCY_OPTIONS } from '../../../libs/tenancy/src/tenancy.constants';

export type AdapterName = 'express' | 'fastify';

/** Routes answer the tenant three ways: the decorator, the decorator's field, and TenantContext after an await. */
@Controller()
class ProbeController {
  constructor(private readonly context: TenantContext) {}

  @Get(['whoami', 't/:tenant/whoami'])
  async whoami(@CurrentTenant() tenant: Tenant, @CurrentTenant('identifier') identifier: string) {
    await sleep(Math.random() * 5); // let concurrent requests interleave
    return { decorator: tenant.identifier, field: identifier, context: this.context.tenant.identifier };
  }

  @Post(['echo', 't/:tenant/echo'])
  async echo(@Body() body: { n: number }, @CurrentTenant('identifier') identifier: string) {
    await sleep(Math.random() * 5);
    return { n: body.n, field: identifier, context: this.context.tenant.identifier };
  }

  @SkipTenancy()
  @Get(['health', 't/:tenant/health'])
  health(@CurrentTenant() tenant: Tenant | null) {
    return { ok: true, tenant };
  }

  @TenantOptional()
  @Get(['optional', 't/:tenant/optional'])
  optional(@CurrentTenant('identifier') identifier: string | null) {
    return { tenant: identifier ?? null, context: this.context.tenantOrNull?.identifier ?? null };
  }
}

/** The statuses seeded in every app; `acme` and `globex` are active. */
export const SEEDED: Array<[string, Tenant['status']]> = [
  ['acme', 'active'],
  ['globex', 'active'],
  ['frozen-co', 'suspended'],
  ['gone-co', 'deleted'],
  ['pending-co', 'provisioning'],
];

/** A store with the seeded tenants plus `tenant-000` … `tenant-<extra - 1>` (active). */
export async function seededStore(extra = 0): Promise<InMemoryTenantStore> {
  const store = new InMemoryTenantStore();
  const rows = [
    ...SEEDED,
    ...Array.from({ length: extra }, (_, i) => [`tenant-${String(i).padStart(3, '0')}`, 'active'] as const),
  ];
  for (const [identifier, status] of rows) {
    await store.create({ identifier, name: identifier, status, isolationStrategy: 'schema' });
  }
  return store;
}

/**
 * A real Nest app wired as the core module will be: options, TenantContext, the store, the
 * resolution providers (guard and interceptor mounted globally) and the scope middleware on every
 * route (unless `middleware: false`, to exercise the interceptor's fallback; `interceptor: false`
 * leaves the interceptor unmounted).
 */
export async function createTenancyTestApp(
  adapter: AdapterName,
  options: Omit<TenancyModuleOptions, 'databaseUrl'>,
  store: TenantStore,
  {
    middleware = true,
    interceptor = true,
    maxParamLength,
    providers = [],
  }: { middleware?: boolean; interceptor?: boolean; maxParamLength?: number; providers?: Provider[] } = {},
): Promise<INestApplication> {
  @Module({
    controllers: [ProbeController],
    providers: [
      { provide: TENANCY_OPTIONS, useValue: resolveTenancyOptions({ databaseUrl: 'sqlite::memory:', ...options }) },
      { provide: TenantStore, useValue: store },
      TenantContext,
      ...RESOLUTION_PROVIDERS,
      ...(interceptor ? [TENANCY_CONTEXT_INTERCEPTOR] : []),
      ...providers,
    ],
  })
  class AppModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      if (middleware) consumer.apply(TenancyScopeMiddleware).forRoutes('{*path}');
    }
  }
  const httpAdapter = adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter({ maxParamLength });
  const app = await NestFactory.create(AppModule, httpAdapter, { logger: false });
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}
