import { Controller, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { lastValueFrom, of } from 'rxjs';
import { resolveTenancyOptions } from '../config/resolve-tenancy-options';
import type { TenancyModuleOptions } from '../config/tenancy-options.interface';
import { TenantContext, openScope } from '../context/tenant-context';
import { bindScopeToRequest } from '../context/request-scope.util';
import { TenancyScope } from '../context/tenancy-scope';
import type { Tenant } from '../models/tenant.model';
import { InMemoryTenantStore } from '../store/in-memory-tenant.store';
import { SkipTenancy } from './decorators';
import type { RateLimiter } from './rate-limit/rate-limiter.interface';
import { ResolutionMetrics } from './resolution.metrics';
import { createTenantResolver } from './resolvers/create-tenant-resolver';
import { TenancyContextInterceptor } from './tenancy-context.interceptor';
import { TenancyGuard } from './tenancy.guard';
import { TenantResolutionError } from './tenant-resolution.error';
import type { TenantResolver } from './tenant-resolver.interface';

@Controller()
@SkipTenancy()
class PublicController {
  open() {}
  @SkipTenancy(false) closed() {}
}

const http = (headers: Record<string, string>, handler: 'open' | 'closed' = 'closed', response: object = {}) =>
  new ExecutionContextHost([{ headers, url: '/' }, response], PublicController, PublicController.prototype[handler]);

/** An HTTP call whose request carries the scope the middleware would have opened for it. */
function boundHttp(headers: Record<string, string>) {
  const scope = new TenancyScope();
  const request = { headers, url: '/' };
  bindScopeToRequest(request, scope);
  return {
    scope,
    context: new ExecutionContextHost([request, {}], PublicController, PublicController.prototype.closed),
  };
}

async function setup(
  options: Partial<TenancyModuleOptions> = {},
  limiter: RateLimiter | null = null,
  resolver?: TenantResolver,
) {
  const store = new InMemoryTenantStore();
  const acme = await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
  const resolved = resolveTenancyOptions({ databaseUrl: 'sqlite::memory:', ...options });
  const metrics = new ResolutionMetrics();
  const args = [
    new Reflector(),
    resolved,
    resolver ?? createTenantResolver(resolved),
    store,
    new TenantContext(),
    metrics,
    limiter,
  ] as const;
  return { acme, metrics, args, guard: new TenancyGuard(...args) };
}

describe('TenancyGuard', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('reads metadata from handler then class: a handler can opt back in', async () => {
    const { guard, metrics } = await setup();
    await expect(guard.canActivate(http({}, 'open'))).resolves.toBe(true);
    await expect(guard.canActivate(http({}, 'closed'))).rejects.toBeInstanceOf(NotFoundException);
    expect(metrics.snapshot().rejected.byReason.missing).toBe(1);
  });

  it('puts the tenant into the open HTTP scope', async () => {
    const { guard, acme } = await setup();
    const { scope, context } = boundHttp({ 'x-tenant-id': 'acme' });
    await openScope(scope, () => guard.canActivate(context));
    expect(scope.tenant).toEqual(acme);
  });

  it("never writes into a scope that is not the request's own: a 500, both scopes untouched", async () => {
    const { guard } = await setup();
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { scope, context } = boundHttp({ 'x-tenant-id': 'acme' });
    const foreign = new TenancyScope();
    const refused = await openScope(foreign, () => guard.canActivate(context)).catch((e: HttpException) => e);
    expect((refused as HttpException).getStatus()).toBe(500);
    expect(foreign.tenant).toBeNull();
    expect(scope.tenant).toBeNull();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('is not the scope TenancyScopeMiddleware opened'));
    error.mockRestore();
  });

  it('throws exactly the uniform body, whatever the reason', async () => {
    const { guard } = await setup();
    const error = await guard.canActivate(http({ 'x-tenant-id': 'nope-co' })).catch((e: NotFoundException) => e);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).getResponse()).toEqual({ statusCode: 404, message: 'Tenant not found' });
    expect((error as NotFoundException).getStatus()).toBe(404);
  });

  it('counts a custom resolver crash as resolver_error, and keeps its own reason when it throws one', async () => {
    const crash = await setup({}, null, {
      resolve: () => {
        throw new TypeError('boom');
      },
    });
    await expect(crash.guard.canActivate(http({}))).rejects.toBeInstanceOf(NotFoundException);
    expect(crash.metrics.snapshot().rejected.byReason.resolver_error).toBe(1);
    const typed = await setup({}, null, {
      resolve: () => {
        throw new TenantResolutionError('invalid_token');
      },
    });
    await expect(typed.guard.canActivate(http({}))).rejects.toBeInstanceOf(NotFoundException);
    expect(typed.metrics.snapshot().rejected.byReason.invalid_token).toBe(1);
  });

  it('steps are overridable: a subclass can map identifiers before lookup', async () => {
    const { args, acme } = await setup();
    class AliasGuard extends TenancyGuard {
      protected override lookupTenant(identifier: string): Promise<Tenant> {
        return super.lookupTenant(identifier === 'acme-eu' ? 'acme' : identifier);
      }
    }
    const { scope, context } = boundHttp({ 'x-tenant-id': 'acme-eu' });
    await openScope(scope, () => new AliasGuard(...args).canActivate(context));
    expect(scope.tenant?.id).toBe(acme.id);
  });

  it('answers 429 with Retry-After over the limit, and lets requests through if the limiter breaks', async () => {
    const over: RateLimiter = { consume: async () => ({ allowed: false, remaining: 0, retryAfterSeconds: 7 }) };
    const { guard, metrics } = await setup({ enableRateLimiting: true }, over);
    const response = { setHeader: jest.fn() };
    const error = await guard
      .canActivate(http({ 'x-tenant-id': 'acme' }, 'closed', response))
      .catch((e: HttpException) => e);
    expect((error as HttpException).getStatus()).toBe(429);
    expect(response.setHeader).toHaveBeenCalledWith('Retry-After', '7');
    expect(metrics.snapshot().rateLimited).toBe(1);

    const broken: RateLimiter = { consume: () => Promise.reject(new Error('down')) };
    const lenient = await setup({ enableRateLimiting: true }, broken);
    await expect(lenient.guard.canActivate(http({ 'x-tenant-id': 'acme' }))).resolves.toBe(true);
  });

  it('does not consult the limiter when rate limiting is off', async () => {
    const consume = jest.fn();
    const { guard } = await setup({ enableRateLimiting: false }, { consume });
    await guard.canActivate(http({ 'x-tenant-id': 'acme' }));
    expect(consume).not.toHaveBeenCalled();
  });
});

describe('TenancyContextInterceptor', () => {
  it('passes through when the guard handed nothing over', async () => {
    const interceptor = new TenancyContextInterceptor();
    const context = http({});
    await expect(lastValueFrom(interceptor.intercept(context, { handle: () => of('same') }))).resolves.toBe('same');
  });
});
