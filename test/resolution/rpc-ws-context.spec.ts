import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, INestApplication, NotFoundException } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ExternalContextCreator } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import { lastValueFrom, defer } from 'rxjs';
import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import { TenantContext, currentScope } from '../../libs/tenancy/src/context/tenant-context';
import type { Tenant } from '../../libs/tenancy/src/models/tenant.model';
import { CurrentTenant } from '../../libs/tenancy/src/resolution/decorators';
import {
  RESOLUTION_PROVIDERS,
  TENANCY_CONTEXT_INTERCEPTOR,
} from '../../libs/tenancy/src/resolution/resolution.providers';
import { ResolutionMetrics } from '../../libs/tenancy/src/resolution/resolution.metrics';
import { TenancyContextInterceptor } from '../../libs/tenancy/src/resolution/tenancy-context.interceptor';
import { TenancyGuard } from '../../libs/tenancy/src/resolution/tenancy.guard';
import { TenantStore } from '../../libs/tenancy/src/store/tenant-store.interface';
import { TENANCY_OPTIONS } from '../../libs/tenancy/src/tenancy.constants';
import { seededStore } from './support/tenancy-test-app';

const NOT_FOUND = { statusCode: 404, message: 'Tenant not found' };

/** A message handler as a microservice or gateway would have it. */
@Controller()
class OrdersHandler {
  constructor(private readonly context: TenantContext) {}

  async created(_data: unknown, _ctx: unknown, tenant: Tenant, identifier: string) {
    await sleep(Math.random() * 5);
    return { decorator: tenant.identifier, field: identifier, context: this.context.tenant.identifier };
  }
}
// Parameters 2 and 3 as @CurrentTenant() / @CurrentTenant('identifier') (the first two are the transport's).
CurrentTenant()(OrdersHandler.prototype, 'created', 2);
CurrentTenant('identifier')(OrdersHandler.prototype, 'created', 3);

describe('TenancyGuard + TenancyContextInterceptor outside HTTP', () => {
  let app: INestApplication;
  let handle: (...args: unknown[]) => Promise<unknown>;
  let metrics: ResolutionMetrics;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [OrdersHandler],
      providers: [
        { provide: TENANCY_OPTIONS, useValue: resolveTenancyOptions({ databaseUrl: 'sqlite::memory:' }) },
        { provide: TenantStore, useValue: await seededStore(50) },
        TenantContext,
        ...RESOLUTION_PROVIDERS,
        TENANCY_CONTEXT_INTERCEPTOR,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    metrics = app.get(ResolutionMetrics);
    // The pipeline @nestjs/microservices and @nestjs/websockets build on: global guard and
    // interceptor included, one args array per call.
    const instance = app.get(OrdersHandler);
    handle = app
      .get(ExternalContextCreator)
      .create(
        instance,
        instance.created as (...args: unknown[]) => unknown,
        'created',
        ROUTE_ARGS_METADATA,
        { exchangeKeyForValue: (_t, _d, args) => args[0] },
        undefined,
        undefined,
        { guards: true, interceptors: true, filters: false },
        'rpc',
      );
  });
  afterAll(() => app.close());

  describe('RPC through the Nest pipeline', () => {
    const headers = (map: Record<string, unknown>) => ({ get: (k: string) => map[k] ?? '' });
    it.each<[string, unknown, unknown]>([
      ['payload tenantId', { tenantId: 'acme' }, {}],
      ['payload x-tenant-id', { 'x-tenant-id': 'acme' }, {}],
      ['NATS-style getHeaders()', {}, { getHeaders: () => headers({ 'x-tenant-id': 'acme' }) }],
      [
        'Kafka message headers (Buffer)',
        {},
        { getMessage: () => ({ headers: { 'x-tenant-id': Buffer.from('acme') } }) },
      ],
      [
        'RabbitMQ properties.headers',
        {},
        { getMessage: () => ({ properties: { headers: { 'x-tenant-id': 'acme' } } }) },
      ],
      ['gRPC Metadata', {}, { get: (k: string) => (k === 'x-tenant-id' ? ['acme'] : []) }],
      ['a plain context object', 'just a string payload', { 'x-tenant-id': 'acme' }],
    ])('reads the tenant from %s and runs the handler in its scope', async (_name, data, ctx) => {
      await expect(handle(data, ctx)).resolves.toEqual({ decorator: 'acme', field: 'acme', context: 'acme' });
    });

    it.each<[string, string, unknown]>([
      ['no tenant', 'missing', { order: 1 }],
      ['a malformed identifier', 'malformed', { tenantId: 'Bad_Name' }],
      ['a non-string identifier', 'malformed', { tenantId: 42 }],
      ['an unknown tenant', 'unknown', { tenantId: 'ghost-co' }],
      ['a suspended tenant', 'suspended', { tenantId: 'frozen-co' }],
      ['a deleted tenant', 'deleted', { tenantId: 'gone-co' }],
    ])('refuses %s with the uniform NotFoundException (reason %s)', async (_name, reason, data) => {
      const before = metrics.snapshot().rejected.byReason[reason as 'missing'];
      const error = await handle(data, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundException);
      expect((error as NotFoundException).getResponse()).toEqual(NOT_FOUND);
      expect(metrics.snapshot().rejected.byReason[reason as 'missing']).toBe(before + 1);
    });

    it('keeps 50 concurrent messages for 50 tenants apart, and leaves no scope behind', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
      const results = await Promise.all(ids.map((id) => handle({ tenantId: id }, {})));
      results.forEach((r, i) => expect(r).toEqual({ decorator: ids[i], field: ids[i], context: ids[i] }));
      expect(currentScope()).toBeUndefined();
    });
  });

  describe('hand-built execution contexts', () => {
    const contextFor = (type: string, args: unknown[]) => {
      const host = new ExecutionContextHost(args, OrdersHandler, OrdersHandler.prototype.created);
      host.setType(type);
      return host;
    };

    async function call(type: string, args: unknown[]) {
      const guard = app.get(TenancyGuard);
      const interceptor = app.get(TenancyContextInterceptor);
      const tenantContext = app.get(TenantContext);
      await guard.canActivate(contextFor(type, args));
      const seen: { scope?: ReturnType<typeof currentScope> } = {};
      const result$ = interceptor.intercept(contextFor(type, args), {
        handle: () =>
          defer(async () => {
            await sleep(1);
            seen.scope = currentScope();
            return tenantContext.tenant.identifier;
          }),
      });
      const identifier = await lastValueFrom(result$);
      return { identifier, scope: seen.scope };
    }

    it('rpc: guard then interceptor, the handler subscribes inside the tenant scope, closed afterwards', async () => {
      const { identifier, scope } = await call('rpc', [{ tenantId: 'globex' }, {}]);
      expect(identifier).toBe('globex');
      expect(scope?.isClosed).toBe(true);
    });

    it('ws: the Socket.IO handshake headers go through the configured resolvers', async () => {
      const client = { handshake: { headers: { 'x-tenant-id': ' acme ' }, url: '/socket.io/' } };
      await expect(call('ws', [client, { text: 'hi' }])).resolves.toMatchObject({ identifier: 'acme' });
    });

    it('ws: a client without a handshake has no tenant', async () => {
      await expect(call('ws', [{}, { text: 'hi' }])).rejects.toBeInstanceOf(NotFoundException);
    });
  });
});
