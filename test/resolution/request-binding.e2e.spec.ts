import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import {
  Controller,
  Get,
  Logger,
  Post,
  Module,
  type INestApplication,
  type MiddlewareConsumer,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Pool } from 'pg';
import request from 'supertest';
import { CurrentTenant, SkipTenancy, TenancyModule, TenantContext } from 'nestjs-tenancy';
import { Customer, Order, OrdersController, OrdersService } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase } from '../support';
import { provisionTenant, type Adapter } from '../support/tenancy-app';

const PER_TENANT = 8;
type Next = (error?: unknown) => void;
const PROBE_TYPE = 'application/x-probe';

/** Boots the app; Fastify learns to ignore `application/x-probe` bodies (the middleware reads them). */
async function bootWithProbeParser(module: Type, adapter: Adapter): Promise<INestApplication> {
  const ref = await Test.createTestingModule({ imports: [module] }).compile();
  if (adapter === 'express') {
    const app = ref.createNestApplication();
    await app.init();
    return app;
  }
  const fastify = new FastifyAdapter();
  fastify.getInstance().addContentTypeParser(PROBE_TYPE, (_req, _payload, done) => done(null, null));
  const app = ref.createNestApplication<NestFastifyApplication>(fastify);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** A POST whose body reaches the server in a second packet, after the headers. */
function postInTwoPackets(url: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = http.request(`${url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': PROBE_TYPE, 'Content-Length': '4' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.flushHeaders();
    setTimeout(() => req.end('ping'), 50);
  });
}

/**
 * Issue 18 item 1: the tenant belongs to its request. Middlewares that an app puts between the
 * scope middleware and the guard, and that resume `next()` in another async context, must never
 * hand the tenant to another request, nor let the route run without one.
 */
describeWith('postgres', 'the tenant is bound to its request (callback-style middleware)', () => {
  const db = usePostgresDatabase();

  describe.each<Adapter>(['express', 'fastify'])('on %s', (adapter) => {
    const TENANTS = ['a', 'b', 'c', 'd'].map((letter) => `bind-${adapter}-${letter}`);
    let pool: Pool;
    const gate = new EventEmitter();
    let queued = 0;
    let gateSize = 0;
    let whoamiRuns = 0;
    let app: INestApplication;
    let url: string;
    const errors: string[] = [];

    /** An API-key check through a callback-style `pg` query; a gate; a body reader. */
    function userMiddleware(req: IncomingMessage, _res: unknown, next: Next): void {
      const mode = req.headers['x-mode'];
      if (mode === 'api-key') {
        pool.query('SELECT $1::text AS key', [req.headers['x-api-key'] ?? ''], (error) => next(error));
      } else if (mode === 'gate') {
        gate.once('ready', () => next());
        if (++queued === gateSize) gate.emit('ready'); // the last arrival opens the gate
      } else if (mode === 'body') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => next());
      } else next();
    }

    @Controller('probe')
    class ProbeController {
      constructor(
        private readonly orders: OrdersService,
        private readonly context: TenantContext,
      ) {}
      /** A route that needs no tenant: what tenant does it see (after an await, as handlers do)? */
      @SkipTenancy() @Get('skipped') async skipped() {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { seen: this.context.tenantOrNull?.identifier ?? null };
      }
      /** The tenant's rows, read after an await (as most handlers do). */
      @Get('rows') async rows() {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        return this.orders.list();
      }
      @Post('whoami') whoami(@CurrentTenant('identifier') identifier: string | null) {
        whoamiRuns++;
        return { identifier };
      }
    }

    beforeAll(async () => {
      pool = new Pool({ connectionString: db.url, max: 2 });
      @Module({
        imports: [
          TenancyModule.forRoot({
            databaseUrl: db.url,
            isolationStrategy: 'schema',
            schemaPrefix: `rb${adapter[0]}_`,
            entities: [Order, Customer],
            poolSize: 4,
          }),
          TenancyModule.forFeature([Order, Customer]),
        ],
        controllers: [OrdersController, ProbeController],
        providers: [OrdersService],
      })
      class AppModule implements NestModule {
        configure(consumer: MiddlewareConsumer): void {
          consumer.apply(userMiddleware).forRoutes('*');
        }
      }
      app = await bootWithProbeParser(AppModule, adapter);
      app.useLogger({
        log: () => undefined,
        warn: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
        error: (message: unknown) => void errors.push(String(message)),
      });
      for (const id of TENANTS) {
        await provisionTenant(app, id, 'schema');
        await request(app.getHttpServer()).post('/orders').set('X-Tenant-ID', id).send({ label: id }).expect(201);
      }
      if (adapter === 'fastify') await (app as NestFastifyApplication).listen(0, '127.0.0.1');
      else await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    });
    afterAll(async () => {
      await app?.close();
      await pool?.end();
      Logger.overrideLogger(false);
    });

    /** Requests that came back with rows of another tenant, or with neither their rows nor a 500. */
    function crossings(results: Array<{ id: string; status: number; body: unknown }>) {
      return results.filter(({ id, status, body }) => {
        if (status === 500) return JSON.stringify(body) !== '{"statusCode":500,"message":"Internal server error"}';
        return status !== 200 || JSON.stringify((body as Order[]).map((o) => o.label)) !== JSON.stringify([id]);
      });
    }

    it(`API-key middleware calling next() from a pg callback: ${TENANTS.length} tenants × ${PER_TENANT}, no crossing`, async () => {
      const order = Array.from({ length: PER_TENANT }, () => TENANTS).flat();
      const results = await Promise.all(
        order.map(async (id) => {
          const res = await request(url).get('/probe/rows').set('X-Tenant-ID', id).set('X-Mode', 'api-key');
          return { id, status: res.status, body: res.body as unknown };
        }),
      );
      expect(crossings(results)).toEqual([]);
    });

    it('a gate releasing queued requests from one event: the others are refused, never served the last tenant', async () => {
      queued = 0;
      gateSize = 8;
      errors.length = 0;
      const order = Array.from({ length: gateSize }, (_, i) => TENANTS[i % TENANTS.length]);
      const results = await Promise.all(
        order.map(async (id) => {
          const res = await request(url).get('/probe/rows').set('X-Tenant-ID', id).set('X-Mode', 'gate');
          return { id, status: res.status, body: res.body as unknown };
        }),
      );
      expect(crossings(results)).toEqual([]);
      // Only the request that opened the gate resumed in its own scope.
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(errors.some((e) => e.includes('not the scope TenancyScopeMiddleware opened for this request'))).toBe(true);
    });

    it('a body reader calling next() on end (scope lost): refused, the route never runs without its tenant', async () => {
      whoamiRuns = 0;
      errors.length = 0;
      const res = await postInTwoPackets(url, '/probe/whoami', { 'X-Tenant-ID': TENANTS[0], 'X-Mode': 'body' });
      expect(res).toEqual({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
      expect(whoamiRuns).toBe(0);
      expect(errors.some((e) => e.includes('no tenancy scope is current'))).toBe(true);
    });

    it("@SkipTenancy() routes released by another request's event never see that request's tenant", async () => {
      queued = 0;
      gateSize = 4;
      errors.length = 0;
      // Three skipped requests wait at the gate; a tenant request arrives last and opens it.
      const skipped = Array.from({ length: gateSize - 1 }, () =>
        request(url)
          .get('/probe/skipped')
          .set('X-Mode', 'gate')
          .then((res) => res),
      );
      for (let i = 0; i < 500 && queued < gateSize - 1; i++) await new Promise((r) => setTimeout(r, 5));
      expect(queued).toBe(gateSize - 1);
      const opener = await request(url).get('/probe/rows').set('X-Tenant-ID', TENANTS[1]).set('X-Mode', 'gate');
      expect(opener.status).toBe(200);
      expect((opener.body as Order[]).map((o) => o.label)).toEqual([TENANTS[1]]);
      const answers = (await Promise.all(skipped)).map((res) => ({ status: res.status, body: res.body as unknown }));
      // Refused (500, the cause logged) or served with no tenant; never with the opener's.
      expect(
        answers.filter((a) => !(a.status === 500 || (a.status === 200 && JSON.stringify(a.body) === '{"seen":null}'))),
      ).toEqual([]);
      expect(answers.filter((a) => a.status === 500)).toHaveLength(gateSize - 1);
      expect(errors.some((e) => e.includes('not the scope TenancyScopeMiddleware opened for this request'))).toBe(true);
    });

    it('@SkipTenancy() behind a plain middleware: served, with no tenant', async () => {
      const res = await request(url).get('/probe/skipped').set('X-Tenant-ID', TENANTS[0]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ seen: null });
    });

    it('a plain middleware still serves each tenant its own rows', async () => {
      const results = await Promise.all(
        TENANTS.map(async (id) => {
          const res = await request(url).get('/orders').set('X-Tenant-ID', id);
          return { id, status: res.status, body: res.body as unknown };
        }),
      );
      expect(results.map((r) => r.status)).toEqual(TENANTS.map(() => 200));
      expect(crossings(results)).toEqual([]);
    });
  });
});
