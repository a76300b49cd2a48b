import { INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { ResolutionMetrics } from '../../libs/tenancy/src/resolution/resolution.metrics';
import { InMemoryTenantStore } from '../../libs/tenancy/src/store/in-memory-tenant.store';
import { AdapterName, createTenancyTestApp, seededStore } from './support/tenancy-test-app';
import { BROKEN_STORE_IDENTIFIER, COMMON_FAILURES, Probe, STRATEGIES } from './support/strategies';

const NOT_FOUND = '{"statusCode":404,"message":"Tenant not found"}';
const ADAPTERS: AdapterName[] = ['express', 'fastify'];

/** The store the apps use; `broken-co` makes it fail like a database outage. */
class FlakyStore extends InMemoryTenantStore {
  override async getByIdentifier(identifier: string): Promise<Tenant> {
    if (identifier === BROKEN_STORE_IDENTIFIER) throw new Error('connection refused');
    return super.getByIdentifier(identifier);
  }
}

async function flakyStore(extra = 0): Promise<FlakyStore> {
  const store = new FlakyStore();
  for (const tenant of await (await seededStore(extra)).list()) await store.create(tenant);
  return store;
}

async function boot(
  adapter: AdapterName,
  options: Parameters<typeof createTenancyTestApp>[1],
  extra = 0,
  middleware = true,
) {
  const app = await createTenancyTestApp(adapter, options, await flakyStore(extra), { middleware });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

function send(url: string, probe: Probe, method: 'get' | 'post' = 'get', body?: object) {
  const test = request(url)[method](probe.path);
  for (const [name, value] of Object.entries(probe.headers)) test.set(name, value);
  return body ? test.send(body) : test;
}

describe.each(ADAPTERS)('TenancyGuard on %s', (adapter) => {
  describe.each(STRATEGIES)('with %s resolution', (_name, strategy) => {
    let app: INestApplication;
    let url: string;
    let metrics: ResolutionMetrics;

    beforeAll(async () => {
      ({ app, url } = await boot(adapter, strategy.options));
      metrics = app.get(ResolutionMetrics);
    });
    afterAll(() => app.close());

    it('serves an active tenant to @CurrentTenant(), its field and TenantContext', async () => {
      const before = metrics.snapshot().resolved;
      const res = await send(url, strategy.carry('acme')).expect(200);
      expect(res.body).toEqual({ decorator: 'acme', field: 'acme', context: 'acme' });
      expect(metrics.snapshot().resolved).toBe(before + 1);
    });

    it('keeps the tenant through a POST body (parsed after the middleware on Fastify)', async () => {
      const res = await send(url, strategy.carry('globex', 'echo'), 'post', { n: 7 }).expect(201);
      expect(res.body).toEqual({ n: 7, field: 'globex', context: 'globex' });
    });

    const failures: Array<[string, string, Probe]> = [
      ...COMMON_FAILURES.map(([name, reason, id]): [string, string, Probe] => [
        name,
        reason,
        id === null ? strategy.bare() : strategy.carry(id),
      ]),
      ...strategy.extraFailures,
    ];

    it.each(failures)('answers the uniform 404 to %s (reason %s)', async (_case, reason, probe) => {
      const before = metrics.snapshot();
      const res = await send(url, probe);
      if (adapter === 'fastify' && _name === 'path' && probe.path.length > 200) {
        // Fastify's router refuses a path parameter over maxParamLength (100) with its own 414
        // (which quotes the path) before any guard runs. See the maxParamLength test below.
        expect(res.status).toBe(414);
        expect(res.body.code).toBe('FST_ERR_MAX_PARAM_LENGTH');
        return;
      }
      expect(res.status).toBe(404);
      expect(res.text).toBe(NOT_FOUND);
      if (probe.input) expect(res.text).not.toContain(probe.input);
      const after = metrics.snapshot();
      expect(after.rejected.byReason[reason as keyof typeof after.rejected.byReason]).toBe(
        before.rejected.byReason[reason as keyof typeof before.rejected.byReason] + 1,
      );
      expect(after.rejected.total).toBe(before.rejected.total + 1);
      expect(after.resolved).toBe(before.resolved);
    });

    it('answers a failing store lookup with 503 + Retry-After (an outage is not "not found"), counted as lookup_error', async () => {
      const before = metrics.snapshot().rejected.byReason.lookup_error;
      const res = await send(url, strategy.carry(BROKEN_STORE_IDENTIFIER));
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ statusCode: 503, message: 'Service Unavailable' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.text).not.toContain(BROKEN_STORE_IDENTIFIER);
      expect(metrics.snapshot().rejected.byReason.lookup_error).toBe(before + 1);
    });

    it('lets @SkipTenancy() routes through with no tenant, even with a bad identifier', async () => {
      expect((await send(url, strategy.bare('health')).expect(200)).body).toEqual({ ok: true, tenant: null });
      expect((await send(url, strategy.carry('ghost-co', 'health')).expect(200)).body).toEqual({
        ok: true,
        tenant: null,
      });
    });

    it('@TenantOptional(): no identifier passes, a good one resolves, a bad one is still a 404', async () => {
      expect((await send(url, strategy.bare('optional')).expect(200)).body).toEqual({ tenant: null, context: null });
      expect((await send(url, strategy.carry('acme', 'optional')).expect(200)).body).toEqual({
        tenant: 'acme',
        context: 'acme',
      });
      const res = await send(url, strategy.carry('frozen-co', 'optional')).expect(404);
      expect(res.text).toBe(NOT_FOUND);
    });
  });

  describe('isolation under load', () => {
    let app: INestApplication;
    let url: string;
    beforeAll(async () => ({ app, url } = await boot(adapter, { resolutionStrategy: 'header' }, 200)));
    afterAll(() => app.close());

    it('200 concurrent requests with distinct tenants each see only their own tenant', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
      const responses = await Promise.all(
        ids.map((id, i) =>
          i % 2
            ? send(url, { path: '/whoami', headers: { 'X-Tenant-ID': id } })
            : send(url, { path: '/echo', headers: { 'X-Tenant-ID': id } }, 'post', { n: i }),
        ),
      );
      responses.forEach((res, i) => {
        expect(res.status).toBe(i % 2 ? 200 : 201);
        expect(res.body.field).toBe(ids[i]);
        expect(res.body.context).toBe(ids[i]);
        if (i % 2) expect(res.body.decorator).toBe(ids[i]);
      });
      expect(app.get(ResolutionMetrics).snapshot().resolved).toBe(200);
    });
  });

  if (adapter === 'fastify') {
    it('path resolution: with maxParamLength raised, an over-long segment gets the uniform 404', async () => {
      const store = await flakyStore();
      const app = await createTenancyTestApp(adapter, { resolutionStrategy: 'path' }, store, { maxParamLength: 1000 });
      try {
        await app.listen(0, '127.0.0.1');
        const long = `a${'b'.repeat(300)}`;
        const res = await send(await app.getUrl(), { path: `/t/${long}/whoami`, headers: {} }).expect(404);
        expect(res.text).toBe(NOT_FOUND);
        expect(app.get(ResolutionMetrics).snapshot().rejected.byReason.malformed).toBe(1);
      } finally {
        await app.close();
      }
    });
  }

  describe('without the scope middleware', () => {
    let app: INestApplication;
    let url: string;
    beforeAll(async () => ({ app, url } = await boot(adapter, { resolutionStrategy: 'header' }, 50, false)));
    afterAll(() => app.close());

    it('the guard hands the tenant to TenancyContextInterceptor, which scopes the handler', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
      const responses = await Promise.all(
        ids.map((id) => send(url, { path: '/whoami', headers: { 'X-Tenant-ID': id } })),
      );
      responses.forEach((res, i) => expect(res.body).toEqual({ decorator: ids[i], field: ids[i], context: ids[i] }));
      await send(url, { path: '/whoami', headers: { 'X-Tenant-ID': 'ghost-co' } }).expect(404);
    });
  });

  describe('without the scope middleware nor the interceptor', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTenancyTestApp(adapter, { resolutionStrategy: 'header' }, await flakyStore(), {
        middleware: false,
        interceptor: false,
      });
      await app.listen(0, '127.0.0.1');
    });
    afterAll(() => app.close());

    it('a hand-off nothing takes fails the request instead of running the route without its tenant', async () => {
      const res = await send(await app.getUrl(), { path: '/optional', headers: { 'X-Tenant-ID': 'acme' } });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
      // A route whose tenant is legitimately absent still answers.
      await send(await app.getUrl(), { path: '/optional', headers: {} }).expect(200, { tenant: null, context: null });
    });
  });

  describe('rate limiting (in memory)', () => {
    let app: INestApplication;
    let url: string;
    beforeAll(async () => {
      ({ app, url } = await boot(adapter, {
        enableRateLimiting: true,
        rateLimitMaxRequests: 3,
        rateLimitWindowSeconds: 30,
      }));
    });
    afterAll(() => app.close());

    it('lets exactly rateLimitMaxRequests through, then answers 429 with Retry-After', async () => {
      const acme = { path: '/whoami', headers: { 'X-Tenant-ID': 'acme' } };
      for (let i = 0; i < 3; i++) await send(url, acme).expect(200);
      const refused = await send(url, acme).expect(429);
      expect(refused.body).toEqual({ statusCode: 429, message: 'Too Many Requests' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
      await send(url, { path: '/whoami', headers: { 'X-Tenant-ID': 'globex' } }).expect(200); // per tenant
      expect(app.get(ResolutionMetrics).snapshot().rateLimited).toBe(1);
    });
  });

  describe('logging', () => {
    let app: INestApplication;
    let url: string;
    beforeAll(async () => ({ app, url } = await boot(adapter, STRATEGIES.find(([n]) => n === 'jwt')![1].options)));
    afterAll(() => app.close());

    it('logs the reason at debug level, never the token', async () => {
      const debug = jest.spyOn(Logger.prototype, 'debug');
      try {
        const token = STRATEGIES.find(([n]) => n === 'jwt')![1].extraFailures[0][2];
        await send(url, token).expect(404);
        const lines = debug.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('Tenant rejected'));
        expect(lines).toEqual([expect.stringContaining('reason=invalid_token')]);
        expect(lines[0]).not.toContain(token.input!.slice(10, 40));
      } finally {
        debug.mockRestore();
      }
    });
  });
});
