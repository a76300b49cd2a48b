import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { testTenant } from '../testing/test-tenant';
import { TenancyScope } from './tenancy-scope';
import { TenantContext, openScope, runInScope } from './tenant-context';

const A = testTenant('acme');
const C = testTenant('initech');
const ctx = new TenantContext();
const seen = () => ctx.tenantOrNull?.identifier ?? null;

describe('TenantContext scopes', () => {
  describe('scope lifetime', () => {
    it('closes the scope (running cleanups) only when the run promise settles', async () => {
      const events: string[] = [];
      let scope!: TenancyScope;
      const running = ctx.run(A, async () => {
        scope = ctx.scope!;
        scope.onClose(() => void events.push('cleanup'));
        await sleep(5);
        events.push('body done');
        return 'result';
      });
      await sleep(1);
      expect(scope.isClosed).toBe(false);
      expect(events).toEqual([]);
      await expect(running).resolves.toBe('result');
      expect(events).toEqual(['body done', 'cleanup']);
      expect(scope.isClosed).toBe(true);
    });

    it('has finished async cleanups by the time the run promise resolves', async () => {
      let released = false;
      await ctx.run(A, async () => {
        ctx.scope!.onClose(async () => {
          await sleep(5);
          released = true;
        });
      });
      expect(released).toBe(true);
    });

    it('closes the scope when the run promise rejects', async () => {
      const cleanup = jest.fn();
      await expect(
        ctx.run(A, async () => {
          ctx.scope!.onClose(cleanup);
          await immediate();
          throw new Error('job failed');
        }),
      ).rejects.toThrow('job failed');
      expect(cleanup).toHaveBeenCalledTimes(1);
    });

    it('closes the scope at once after a synchronous fn, returned or thrown', async () => {
      const cleanups = [jest.fn(), jest.fn()];
      ctx.run(A, () => ctx.scope!.onClose(cleanups[0]));
      expect(() =>
        ctx.run(A, () => {
          ctx.scope!.onClose(cleanups[1]);
          throw new Error('x');
        }),
      ).toThrow('x');
      await immediate();
      for (const c of cleanups) expect(c).toHaveBeenCalledTimes(1);
    });

    it('runs cleanups in reverse order, once, even when one fails', async () => {
      const order: string[] = [];
      let scope!: TenancyScope;
      await ctx.run(A, async () => {
        scope = ctx.scope!;
        scope.onClose(() => void order.push('first registered'));
        scope.onClose(() => {
          throw new Error('broken connection');
        });
        scope.onClose(async () => void order.push('last registered'));
        scope.slots.set('k', 'v');
      });
      await scope.close();
      expect(order).toEqual(['last registered', 'first registered']);
      expect(scope.slots.size).toBe(0);
    });

    it('runs a cleanup registered after the close (late work still gives its resource back)', async () => {
      const scope = await ctx.run(A, async () => ctx.scope!);
      const late = jest.fn();
      scope.onClose(late);
      expect(late).not.toHaveBeenCalled(); // not re-entrantly
      await immediate();
      expect(late).toHaveBeenCalledTimes(1);
    });

    it('treats a foreign thenable as a promise', async () => {
      const cleanup = jest.fn();
      const thenable = { then: (resolve: (v: number) => void) => setTimeout(() => resolve(7), 1) };
      const result = await ctx.run(A, () => {
        ctx.scope!.onClose(cleanup);
        return thenable;
      });
      expect(result).toBe(7);
      expect(cleanup).toHaveBeenCalledTimes(1);
    });
  });

  describe('openScope / runInScope (internal, used by the middleware)', () => {
    it('openScope keeps the scope open for the rest of the async context', async () => {
      const scope = new TenancyScope();
      await openScope(scope, async () => {
        scope.tenant = A; // what the guard does once it resolved the tenant
        await sleep(1);
        expect(ctx.tenant).toBe(A);
      });
      expect(scope.isClosed).toBe(false);
      expect(seen()).toBeNull();
    });

    it('runInScope closes the given scope when fn settles', async () => {
      const scope = new TenancyScope(C);
      await runInScope(scope, async () => expect(seen()).toBe('initech'));
      expect(scope.isClosed).toBe(true);
    });
  });
});
