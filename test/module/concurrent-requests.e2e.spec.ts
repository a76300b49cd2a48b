import { Controller, Get, Module, type INestApplication, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { CurrentTenant, TenancyModule, TenantContext, TenantStore } from 'nestjs-tenancy';
import type { TenancyScope } from '../../libs/tenancy/src/context/tenancy-scope';
import { describeWith, usePostgresDatabase } from '../support';
import { bootApp, type Adapter } from '../support/tenancy-app';
import { lightOptions } from './support';

describeWith('postgres', 'TenancyModule under concurrent HTTP requests (PostgreSQL)', () => {
  const db = usePostgresDatabase();

  describe.each<Adapter>(['express', 'fastify'])('200 concurrent requests on %s', (adapter) => {
    const TENANTS = Array.from({ length: 200 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
    const scopes: TenancyScope[] = [];
    let inFlight = 0;
    let maxInFlight = 0;

    @Controller('whoami')
    class WhoAmIController {
      constructor(private readonly context: TenantContext) {}
      @Get()
      async whoami(@CurrentTenant('identifier') identifier: string) {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        scopes.push(this.context.scope!);
        try {
          await new Promise((r) => setTimeout(r, Math.random() * 50));
          return { decorator: identifier, context: this.context.tenant.identifier };
        } finally {
          inFlight--;
        }
      }
    }
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      @Module({ imports: [TenancyModule.forRoot(lightOptions(db.url))], controllers: [WhoAmIController] })
      class AppModule {}
      app = await bootApp(AppModule as Type, adapter);
      const store = app.get<TenantStore>(TenantStore);
      for (const identifier of TENANTS)
        await store.create({ identifier, name: identifier, isolationStrategy: 'schema', status: 'active' });
      if (adapter === 'fastify') await (app as NestFastifyApplication).listen(0, '127.0.0.1');
      else await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    });
    afterAll(() => app?.close());

    it('each sees only its own tenant, through @CurrentTenant and TenantContext after an await', async () => {
      const responses = await Promise.all(
        TENANTS.map((identifier) => request(url).get('/whoami').set('X-Tenant-ID', identifier)),
      );
      const wrong = responses
        .map((res, i) => ({ expected: TENANTS[i], status: res.status, body: res.body as unknown }))
        .filter(
          (r) =>
            r.status !== 200 ||
            JSON.stringify(r.body) !== JSON.stringify({ decorator: r.expected, context: r.expected }),
        );
      expect(wrong).toEqual([]);
      expect(maxInFlight).toBeGreaterThan(5); // they really overlapped
    });

    it('opened one scope per request and closed each once the response ended', async () => {
      await new Promise((r) => setTimeout(r, 20));
      expect(scopes.length).toBeGreaterThanOrEqual(TENANTS.length);
      expect(new Set(scopes).size).toBe(scopes.length);
      expect(scopes.filter((s) => !s.isClosed)).toHaveLength(0);
    });

    it('answers an unknown tenant with the uniform 404', async () => {
      const res = await request(url).get('/whoami').set('X-Tenant-ID', 'nobody-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Tenant not found' });
    });
  });
});
