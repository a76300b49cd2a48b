import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { TenantStore, type Tenant, type TenantIsolation } from 'nestjs-tenancy';
import { TenantProvisioner } from '../../libs/tenancy/src/isolation/tenant-provisioner';

export type Adapter = 'express' | 'fastify';

/** Boots `module` as an HTTP app on Express or Fastify, listening on nothing (supertest drives it). */
export async function bootApp(module: new () => unknown, adapter: Adapter = 'express'): Promise<INestApplication> {
  const ref = await Test.createTestingModule({ imports: [module] }).compile();
  const app =
    adapter === 'fastify'
      ? ref.createNestApplication<NestFastifyApplication>(new FastifyAdapter())
      : ref.createNestApplication();
  app.enableShutdownHooks();
  await app.init();
  if (adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

/** Registers an active tenant and provisions its storage, without the admin service. */
export async function provisionTenant(
  app: INestApplication,
  identifier: string,
  isolationStrategy: TenantIsolation,
): Promise<Tenant> {
  const store = app.get<TenantStore>(TenantStore);
  const tenant = await store.create({ identifier, name: identifier, isolationStrategy, status: 'active' });
  const provisioner = app.get(TenantProvisioner);
  await provisioner.createStorage(tenant);
  await provisioner.migrate(tenant);
  return tenant;
}
