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

/** As Nest's guards consumer calls a guard: a synchronous throw becomes a rejection. */
const activate = (guard: TenancyGuard, context: ExecutionContextHost) =>
  Promise.resolve().then(() => guard.canActivate(context));

describe('TenancyGuard', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('reads metadata from handler then class: a handler can opt back in', async () => {
    const { guard, metrics } = await setup();
    await expect(activate(guard, http({}, 'open'))).resolves.toBe(true);
    await expect(activate(guard, http({}, 'closed'))).rejects.toBeInstanceOf(NotFoundException);
    expect(metrics.snapshot().rejected.byReason.missing).toBe(1);
  });

  it('puts the tenant into the open HTTP scope', async () => {
    const { guard, acme } = await setup();
    const { scope, context } = boundHttp({ 'x-tenant-id': 'acme' });
    await openScope(scope, () => activate(guard, context));
    expect(scope.tenant).toEqual(acme);
  });

  it("never writes into a scope that is not the request's own: a 500, both scopes untouched", async () => {
    const { guard } = await setup();
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { scope, context } = boundHttp({ 'x-tenant-id': 'acme' });
    const foreign = new TenancyScope();
    const refused = await openScope(foreign, () => activate(guard, context)).catch((e: HttpException) => e);
    expect((refused as HttpException).getStatus()).toBe(500);
    expect(foreign.tenant).toBeNull();
    expect(scope.tenant).toBeNull();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('is not the scope TenancyScopeMiddleware opened'));
    error.mockRestore();
  });

  it('throws exactly the uniform body, whatever the reason', async () => {
    const { guard } = await setup();
    const error = await activate(guard, http({ 'x-tenant-id': 'nope-co' })).catch((e: NotFoundException) => e);
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
    await expect(activate(crash.guard, http({}))).rejects.toBeInstanceOf(NotFoundException);
    expect(crash.metrics.snapshot().rejected.byReason.resolver_error).toBe(1);
    const typed = await setup({}, null, {
      resolve: () => {
        throw new TenantResolutionError('invalid_token');
      },
    });
    await expect(activate(typed.guard, http({}))).rejects.toBeInstanceOf(NotFoundException);
    expect(typed.metrics.snapshot().rejected.byReason.invalid_token).toBe(1);
  });

  it('steps are overridable: a subclass can map identifiers before lookup', async () => {
    const { args, acme } = await setup();
    class AliasGuard extends TenancyGuard {
      protected override lookupTenant(identifier: string): Tenant | Promise<Tenant> {
        return super.lookupTenant(identifier === 'acme-eu' ? 'acme' : identifier);
      }
    }
    const { scope, context } = boundHttp({ 'x-tenant-id': 'acme-eu' });
    await openScope(scope, () => activate(new AliasGuard(...args), context));
    expect(scope.tenant?.id).toBe(acme.id);
  });

  it('answers 429 with Retry-After over the limit, and lets requests through if the limiter breaks', async () => {
    const over: RateLimiter = { consume: async () => ({ allowed: false, remaining: 0, retryAfterSeconds: 7 }) };
    const { guard, metrics } = await setup({ enableRateLimiting: true }, over);
    const response = { setHeader: jest.fn() };
    const error = await activate(guard, http({ 'x-tenant-id': 'acme' }, 'closed', response)).catch(
      (e: HttpException) => e,
    );
    expect((error as HttpException).getStatus()).toBe(429);
    expect(response.setHeader).toHaveBeenCalledWith('Retry-After', '7');
    expect(metrics.snapshot().rateLimited).toBe(1);

    const broken: RateLimiter = { consume: () => Promise.reject(new Error('down')) };
    const lenient = await setup({ enableRateLimiting: true }, broken);
    await expect(activate(lenient.guard, http({ 'x-tenant-id': 'acme' }))).resolves.toBe(true);
  });

  it('answers an L1 hit synchronously (no promise), and a cache miss or an async resolver with a promise', async () => {
    const store = new InMemoryTenantStore();
    await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
    const resolved = resolveTenancyOptions({ databaseUrl: 'sqlite::memory:' });
    const peek = jest.fn<Tenant | null | undefined, [string]>(() => undefined);
    const cached = Object.assign(Object.create(store) as InMemoryTenantStore, { peekByIdentifier: peek });
    const guardWith = (resolver: TenantResolver) =>
      new TenancyGuard(new Reflector(), resolved, resolver, cached, new TenantContext(), new ResolutionMetrics());
    const sync = guardWith(createTenantResolver(resolved));

    let bound = boundHttp({ 'x-tenant-id': 'acme' });
    const miss = openScope(bound.scope, () => sync.canActivate(bound.context));
    expect(miss).toBeInstanceOf(Promise);
    await expect(miss).resolves.toBe(true);
    expect(bound.scope.tenant?.identifier).toBe('acme');

    const acme = await store.getByIdentifier('acme');
    peek.mockReturnValue(acme);
    bound = boundHttp({ 'x-tenant-id': 'acme' });
    expect(openScope(bound.scope, () => sync.canActivate(bound.context))).toBe(true);
    expect(bound.scope.tenant).toBe(acme);

    const asyncResolver = guardWith({ resolve: async () => 'acme' });
    bound = boundHttp({});
    const later = openScope(bound.scope, () => asyncResolver.canActivate(bound.context));
    expect(later).toBeInstanceOf(Promise);
    await expect(later).resolves.toBe(true);
    expect(bound.scope.tenant).toBe(acme);

    peek.mockReturnValue(null); // cached as unknown: refused synchronously, the uniform 404
    bound = boundHttp({ 'x-tenant-id': 'acme' });
    expect(() => openScope(bound.scope, () => sync.canActivate(bound.context))).toThrow(NotFoundException);
    expect(bound.scope.tenant).toBeNull();
  });

  it('does not consult the limiter when rate limiting is off', async () => {
    const consume = jest.fn();
    const { guard } = await setup({ enableRateLimiting: false }, { consume });
    await activate(guard, http({ 'x-tenant-id': 'acme' }));
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
