// B5: the per-request tenancy path without any database, in-process: the scope middleware,
// TenancyGuard (header resolution, identifier check, L1 hit), scope close. Run by run.ts.
import { EventEmitter } from 'node:events';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { resolveTenancyOptions } from '../libs/tenancy/src/config/resolve-tenancy-options';
import { TenantContext, openScope } from '../libs/tenancy/src/context/tenant-context';
import { TenancyScope } from '../libs/tenancy/src/context/tenancy-scope';
import { TenancyScopeMiddleware } from '../libs/tenancy/src/context/tenancy-scope.middleware';
import { ResolutionMetrics } from '../libs/tenancy/src/resolution/resolution.metrics';
import { createTenantResolver } from '../libs/tenancy/src/resolution/resolvers/create-tenant-resolver';
import { TenancyGuard } from '../libs/tenancy/src/resolution/tenancy.guard';
import { CachedTenantStore } from '../libs/tenancy/src/store/cached-tenant.store';
import { InMemoryTenantStore } from '../libs/tenancy/src/store/in-memory-tenant.store';

export interface B5Result {
  iterations: number;
  /** Await of an empty async function: the floor of any async step. */
  floorUs: number;
  /** `peekByIdentifier` alone (L1 hit), synchronous. */
  peekUs: number;
  /** `TenancyGuard.canActivate` inside an open scope (resolution + validation + L1 hit + set). */
  guardUs: number;
  /** Middleware scope open + guard + scope close: the whole per-request path before the handler. */
  pathUs: number;
}

class Handler {
  list(): void {}
}

/**
 * µs per call: the best of 7 batches (the least disturbed by other processes on a shared
 * machine; the intrinsic cost is what B5 asks for), after a JIT warm-up.
 */
async function time(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) await fn();
  const batch = Math.ceil(iterations / 7);
  let best = Infinity;
  for (let b = 0; b < 7; b++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  return best;
}

async function main(): Promise<B5Result> {
  const { iterations } = JSON.parse(process.env.BENCH_INPUT ?? '{}') as { iterations: number };
  const options = resolveTenancyOptions({ databaseUrl: 'postgresql://unused@127.0.0.1/unused', store: 'memory' });
  const store = new CachedTenantStore(new InMemoryTenantStore(), CachedTenantStore.optionsFrom(options));
  const tenants = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      store.create({ identifier: `tenant-${i}`, name: `t${i}`, isolationStrategy: 'schema' }),
    ),
  );
  for (const t of tenants) await store.getByIdentifier(t.identifier); // warm L1
  const guard = new TenancyGuard(
    new Reflector(),
    options,
    createTenantResolver(options),
    store,
    new TenantContext(),
    new ResolutionMetrics(),
  );
  const middleware = new TenancyScopeMiddleware();

  let n = 0;
  const requests = tenants.map((t) => ({ headers: { host: 'localhost', 'x-tenant-id': t.identifier, accept: '*/*' } }));
  const contextFor = (req: object): ExecutionContext =>
    ({
      getType: () => 'http',
      getHandler: () => Handler.prototype.list,
      getClass: () => Handler,
      getArgByIndex: (i: number) => (i === 0 ? req : undefined),
      getArgs: () => [req],
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}), getNext: () => undefined }),
    }) as unknown as ExecutionContext;
  const contexts = requests.map(contextFor);

  const floorUs = await time(iterations, async () => undefined);
  const peekUs = await time(iterations, () => store.peekByIdentifier(tenants[n++ % 10].identifier));
  const scope = new TenancyScope();
  const guardUs = await time(iterations, () => openScope(scope, () => guard.canActivate(contexts[n++ % 10])));
  const pathUs = await time(iterations, () => {
    const res = new EventEmitter();
    const i = n++ % 10;
    return new Promise<void>((resolve) => {
      middleware.use(requests[i], res, () => {
        void Promise.resolve(guard.canActivate(contexts[i])).then(() => {
          res.emit('finish');
          res.emit('close');
          resolve();
        });
      });
    });
  });
  if (!store.peekByIdentifier('tenant-1')) throw new Error('L1 was not warm');
  return { iterations, floorUs, peekUs, guardUs, pathUs };
}

main().then(
  (ok) => process.send?.({ ok }, () => process.exit(0)),
  (error: unknown) =>
    process.send?.({ error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1)),
);
