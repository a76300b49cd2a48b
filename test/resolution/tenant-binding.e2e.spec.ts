import { Injectable, type INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { HeaderResolver, type Tenant, TenantMembership } from 'nestjs-tenancy';
import type { TenancyModuleOptions } from '../../libs/tenancy/src/config/tenancy-options.interface';
import { ResolutionMetrics } from '../../libs/tenancy/src/resolution/resolution.metrics';
import { JWT_SECRET } from './support/strategies';
import { type AdapterName, createTenancyTestApp, seededStore } from './support/tenancy-test-app';

const UNIFORM_404 = { statusCode: 404, message: 'Tenant not found' };
const jwt = new JwtService({ secret: JWT_SECRET, signOptions: { expiresIn: 60 } });
const bearer = (payload: object, secret = JWT_SECRET) =>
  `Bearer ${new JwtService({ secret, signOptions: { expiresIn: 60 } }).sign(payload)}`;

/** Members per user, read from `x-user` (an app would read the user its auth middleware set). */
const MEMBERS: Record<string, string[]> = { alice: ['acme'], bob: ['acme', 'globex'] };

@Injectable()
class UserMembership implements TenantMembership {
  async canAccess(tenant: Tenant, req: { headers: Record<string, unknown> }): Promise<boolean> {
    const user = req.headers['x-user'];
    if (user === 'crash') throw new Error('membership service down');
    return typeof user === 'string' && (MEMBERS[user] ?? []).includes(tenant.identifier);
  }
}

/**
 * Issue 14: the tenant belongs to the caller. A verified token's tenant claim binds every other
 * source (header, subdomain, custom resolvers); a `TenantMembership` provider binds header or
 * subdomain tenants to the authenticated user. Every refusal is the uniform 404.
 */
describe.each<AdapterName>(['express', 'fastify'])('tenant bound to the caller (%s)', (adapter) => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });
  const boot = async (options: Omit<TenancyModuleOptions, 'databaseUrl'>, providers = [] as never[]) => {
    const app = await createTenancyTestApp(adapter, options, await seededStore(), { providers });
    apps.push(app);
    return app;
  };
  const whoami = (app: INestApplication, headers: Record<string, string>) => {
    let req = request(app.getHttpServer()).get('/whoami');
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    return req;
  };

  describe('a verified token claim and another source', () => {
    let header: INestApplication;
    let chained: INestApplication;
    let subdomain: INestApplication;
    beforeAll(async () => {
      header = await boot({ resolutionStrategy: 'header', jwtSecret: JWT_SECRET });
      chained = await boot({ resolutionStrategy: 'jwt', jwtSecret: JWT_SECRET, resolvers: [new HeaderResolver()] });
      subdomain = await boot({ resolutionStrategy: 'subdomain', domainSuffix: 'example.test', jwtSecret: JWT_SECRET });
    });

    it('agree: served', async () => {
      const res = await whoami(header, { 'X-Tenant-ID': 'acme', Authorization: bearer({ tenant_id: 'acme' }) });
      expect([res.status, res.body.decorator]).toEqual([200, 'acme']);
      const viaHost = await whoami(subdomain, {
        Host: 'acme.example.test',
        Authorization: bearer({ tenant_id: 'acme' }),
      });
      expect([viaHost.status, viaHost.body.decorator]).toEqual([200, 'acme']);
    });

    it.each<[string, () => INestApplication, Record<string, string>]>([
      ['header vs claim', () => header, { 'X-Tenant-ID': 'globex' }],
      ['a custom resolver before the JWT one vs claim', () => chained, { 'X-Tenant-ID': 'globex' }],
      ['subdomain vs claim', () => subdomain, { Host: 'globex.example.test' }],
    ])('disagree (%s): the uniform 404', async (_name, app, headers) => {
      const metrics = app().get(ResolutionMetrics);
      const before = metrics.snapshot().rejected.byReason.conflict;
      const res = await whoami(app(), { ...headers, Authorization: bearer({ tenant_id: 'acme' }) });
      expect([res.status, res.body]).toEqual([404, UNIFORM_404]);
      expect(metrics.snapshot().rejected.byReason.conflict).toBe(before + 1);
    });

    it('a token without the claim, or one that does not verify, binds nothing', async () => {
      for (const authorization of [bearer({ sub: 'u1' }), bearer({ tenant_id: 'acme' }, `${JWT_SECRET}-other`)]) {
        const res = await whoami(header, { 'X-Tenant-ID': 'globex', Authorization: authorization });
        expect([res.status, res.body.decorator]).toEqual([200, 'globex']);
      }
    });

    it('the JWT resolver alone still reads the claim', async () => {
      const res = await whoami(chained, { Authorization: `Bearer ${jwt.sign({ tenant_id: 'globex' })}` });
      expect([res.status, res.body.decorator]).toEqual([200, 'globex']);
    });
  });

  describe('TenantMembership', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot({ resolutionStrategy: 'header' }, [
        { provide: TenantMembership, useClass: UserMembership },
      ] as never[]);
    });

    it.each<[string, string, number]>([
      ['alice', 'acme', 200],
      ['bob', 'acme', 200],
      ['bob', 'globex', 200],
      ['alice', 'globex', 404],
      ['mallory', 'acme', 404],
      ['crash', 'acme', 404],
    ])('%s asking for %s: %i', async (user, tenant, status) => {
      const res = await whoami(app, { 'X-Tenant-ID': tenant, 'x-user': user });
      expect(res.status).toBe(status);
      if (status === 404) expect(res.body).toEqual(UNIFORM_404);
      else expect(res.body.decorator).toBe(tenant);
    });

    it('no user at all: the uniform 404, counted as not_member', async () => {
      const metrics = app.get(ResolutionMetrics);
      const before = metrics.snapshot().rejected.byReason.not_member;
      const res = await whoami(app, { 'X-Tenant-ID': 'acme' });
      expect([res.status, res.body]).toEqual([404, UNIFORM_404]);
      expect(metrics.snapshot().rejected.byReason.not_member).toBe(before + 1);
    });
  });
});
