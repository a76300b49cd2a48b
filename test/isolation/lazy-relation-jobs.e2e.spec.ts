import { Controller, Get, Module, Param, type INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  TenancyError,
  TenancyModule,
  TenantAdminService,
  TenantConnectionManager,
  TenantContext,
  type TenancyModuleOptions,
  type Tenant,
} from 'nestjs-tenancy';
import { describeWith, usePostgresDatabase } from '../support';
import { bootApp } from '../support/tenancy-app';
import { ENTITIES, EntityPathsService, type Client, type Invoice } from './support/entity-paths.fixture';
import { entityPathsOptions } from './support/entity-paths-app';

/** Entities a request handed to "background jobs" that run after the request has ended. */
const HELD: { invoice?: Invoice; client?: Client } = {};

@Controller('hold')
class HoldController {
  constructor(private readonly service: EntityPathsService) {}
  @Get(':invoice/:client') async hold(@Param('invoice') invoice: string, @Param('client') client: string) {
    HELD.invoice = await this.service.invoices.findOneByOrFail({ id: Number(invoice) });
    HELD.client = await this.service.clients.findOneByOrFail({ id: Number(client) });
    return { held: true };
  }
}

function jobsModule(options: TenancyModuleOptions): new () => unknown {
  @Module({
    imports: [TenancyModule.forRoot(options), TenancyModule.forFeature(ENTITIES)],
    controllers: [HoldController],
    providers: [EntityPathsService],
  })
  class JobsModule {}
  return JobsModule;
}

/**
 * Issue 11: a lazy relation (`await invoice.client`) on an entity read in tenant A's request and
 * awaited later by a background job. Decided: the entity loads through the tenant it was read
 * for (its foreign keys are A's: loading them from B's tables would wire A's row to B's data),
 * inside A's scope or outside any tenant; inside ANOTHER tenant's scope (a job for B holding A's
 * entity) the load is refused with a TenancyError, because B's job would otherwise receive A's rows.
 */
function heldEntityChecks(options: () => TenancyModuleOptions): () => void {
  return () => {
    let app: INestApplication;
    const tenants: Record<'a' | 'b', Tenant> = {} as never;
    const seeded: Record<'a' | 'b', { client: number; invoices: number[] }> = {} as never;
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    const context = () => app.get(TenantContext);
    /** A's request: reads an invoice and a client and hands them over; the request then ends. */
    const holdFromRequestOfA = async () => {
      await request(app.getHttpServer())
        .get(`/hold/${seeded.a.invoices[0]}/${seeded.a.client}`)
        .set('X-Tenant-ID', tenants.a.identifier)
        .expect(200);
      return { invoice: HELD.invoice!, client: HELD.client! };
    };

    beforeAll(async () => {
      process.on('unhandledRejection', onRejection);
      app = await bootApp(jobsModule(options()));
      const admin = app.get(TenantAdminService);
      for (const k of ['a', 'b'] as const) {
        tenants[k] = await admin.register({ identifier: `job-${k}`, name: `job-${k}` });
        seeded[k] = await context().run(tenants[k], async () => {
          await app.get(TenantConnectionManager).getDataSource();
          return app.get(EntityPathsService).seed(`job-${k}`);
        });
      }
    });
    afterAll(async () => {
      process.off('unhandledRejection', onRejection);
      for (const t of Object.values(tenants))
        await app
          .get(TenantAdminService)
          .delete(t.id, { hard: true })
          .catch(() => undefined);
      await app?.close();
    });
    afterEach(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
    });

    it("a job for tenant B awaiting a lazy relation of A's entity is refused (both directions, in a transaction too)", async () => {
      const held = await holdFromRequestOfA();
      const refusal = /read for tenant .* awaited in the scope of tenant/;
      await expect(context().run(tenants.b, () => held.invoice.client)).rejects.toThrow(TenancyError);
      await expect(context().run(tenants.b, () => held.invoice.client)).rejects.toThrow(refusal);
      await expect(context().run(tenants.b, () => held.client.invoices)).rejects.toThrow(refusal);
      await expect(
        context().run(tenants.b, () => app.get(TenantConnectionManager).transaction(() => held.invoice.client)),
      ).rejects.toThrow(refusal);
    });

    it("a job for tenant A, or outside any tenant, loads A's rows through A", async () => {
      const held = await holdFromRequestOfA();
      // The refusal above is not cached on the entity: its own tenant still loads it.
      await context()
        .run(tenants.b, () => held.invoice.client)
        .catch(() => undefined);
      await expect(context().run(tenants.a, () => held.invoice.client)).resolves.toMatchObject({ name: 'job-a' });
      const again = await holdFromRequestOfA();
      await expect(again.invoice.client).resolves.toMatchObject({ name: 'job-a' });
      const invoices = await again.client.invoices;
      expect(invoices.map((i) => i.label).sort()).toEqual(['job-a-1', 'job-a-2']);
    });

    it("B's own entities still load in B's job (the check compares tenants, it does not refuse jobs)", async () => {
      const mine = await context().run(tenants.b, async () => {
        const invoice = await app.get(EntityPathsService).invoices.findOneByOrFail({ id: seeded.b.invoices[0] });
        return (await invoice.client)?.name;
      });
      expect(mine).toBe('job-b');
    });
  };
}

describeWith('postgres', 'lazy relation of an entity held by a job: PostgreSQL schema', () => {
  const db = usePostgresDatabase();
  describe(
    'schema',
    heldEntityChecks(() => entityPathsOptions('schema', { db, role: { url: '' } })),
  );
});

describe('lazy relation of an entity held by a job: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-lazy-jobs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sqlite = (isolationStrategy: 'schema' | 'database'): TenancyModuleOptions => ({
    databaseUrl: `sqlite:${join(dir, `master-${isolationStrategy}.sqlite`)}`,
    databaseUrlTemplate: `sqlite:${join(dir, '{database_name}.sqlite')}`,
    cacheEnabled: false,
    isolationStrategy,
  });
  describe(
    'schema (table prefix)',
    heldEntityChecks(() => sqlite('schema')),
  );
  describe(
    'database (file)',
    heldEntityChecks(() => sqlite('database')),
  );
});
