import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';
import { TenantContextMissingError } from '../errors/tenant-context-missing.error';
import { testTenant } from '../testing/test-tenant';
import { TenancyScope } from './tenancy-scope';
import { TenantContext, currentScope, openScope } from './tenant-context';

const A = testTenant('acme');
const B = testTenant('globex');
const C = testTenant('initech');
const ctx = new TenantContext();
const seen = () => ctx.tenantOrNull?.identifier ?? null;

describe('TenantContext', () => {
  describe('outside a tenant', () => {
    it('tenant throws TenantContextMissingError, explaining how to set one', () => {
      expect(() => ctx.tenant).toThrow(TenantContextMissingError);
      expect(() => ctx.tenant).toThrow(/TenantContext\.run\(tenant, fn\)/);
    });

    it('tenantOrNull is null', () => {
      expect(ctx.tenantOrNull).toBeNull();
      expect(ctx.scope).toBeUndefined();
    });

    it('inside a request scope that has no tenant yet, tenant still throws and tenantOrNull is null', () => {
      openScope(new TenancyScope(), () => {
        expect(ctx.scope).toBeInstanceOf(TenancyScope);
        expect(() => ctx.tenant).toThrow(TenantContextMissingError);
        expect(ctx.tenantOrNull).toBeNull();
      });
    });
  });

  describe('run', () => {
    it('returns the value of a synchronous fn and leaves no tenant behind', () => {
      expect(ctx.run(A, () => ctx.tenant.identifier)).toBe('acme');
      expect(seen()).toBeNull();
    });

    it('resolves to the value of an async fn and leaves no tenant behind', async () => {
      await expect(ctx.run(A, async () => ctx.tenant)).resolves.toBe(A);
      expect(seen()).toBeNull();
    });

    it('rethrows a synchronous error and propagates a rejection', async () => {
      expect(() =>
        ctx.run(A, () => {
          throw new Error('sync boom');
        }),
      ).toThrow('sync boom');
      await expect(ctx.run(A, async () => Promise.reject(new Error('async boom')))).rejects.toThrow('async boom');
      expect(seen()).toBeNull();
    });

    it('is shared by every TenantContext instance (one AsyncLocalStorage per process)', async () => {
      const other = new TenantContext();
      await ctx.run(B, async () => {
        await immediate();
        expect(other.tenant).toBe(B);
        expect(currentScope()?.tenant).toBe(B);
      });
    });
  });

  describe('nested run()', () => {
    it('the inner run sees the inner tenant; the outer tenant is back after it (sync)', () => {
      ctx.run(A, () => {
        expect(ctx.run(B, () => seen())).toBe('globex');
        expect(seen()).toBe('acme');
      });
    });

    it('the inner run sees the inner tenant; the outer tenant is back after it (async)', async () => {
      await ctx.run(A, async () => {
        const outerScope = ctx.scope!;
        const inner = ctx.run(B, async () => {
          await sleep(2);
          const innermost = await ctx.run(C, async () => (await immediate(), seen()));
          return [innermost, seen()];
        });
        expect(seen()).toBe('acme'); // right after starting the inner run, before it ends
        expect(await inner).toEqual(['initech', 'globex']);
        expect(seen()).toBe('acme');
        expect(ctx.scope).toBe(outerScope);
        expect(outerScope.isClosed).toBe(false);
      });
    });

    it('gives the inner run its own scope, closed when it settles while the outer stays open', async () => {
      await ctx.run(A, async () => {
        const outer = ctx.scope!;
        const inner = await ctx.run(A, async () => ctx.scope!);
        expect(inner).not.toBe(outer);
        expect(inner.isClosed).toBe(true);
        expect(outer.isClosed).toBe(false);
      });
    });

    it('keeps a failing inner run from disturbing the outer one', async () => {
      await ctx.run(A, async () => {
        await expect(ctx.run(B, async () => Promise.reject(new Error('inner')))).rejects.toThrow('inner');
        expect(seen()).toBe('acme');
      });
    });
  });

  describe('no leaks between runs', () => {
    it('two back-to-back runs on the same worker each see only their own tenant', async () => {
      // One long-lived worker loop, as in a queue consumer: jobs run one after another.
      const jobs = [A, B, A, C, B];
      const log: string[] = [];
      const late: Array<Promise<string>> = [];
      const worker = async () => {
        for (const t of jobs) {
          log.push(`between:${seen()}`);
          await ctx.run(t, async () => {
            await sleep(1);
            log.push(`${t.identifier}:${seen()}`);
            // Work the job leaves behind fires during the next job: it must keep its own tenant.
            late.push(sleep(3).then(() => `${t.identifier}:${seen()}`));
          });
        }
        log.push(`after:${seen()}`);
      };
      await worker();
      expect(log).toEqual([
        'between:null',
        'acme:acme',
        'between:null',
        'globex:globex',
        'between:null',
        'acme:acme',
        'between:null',
        'initech:initech',
        'between:null',
        'globex:globex',
        'after:null',
      ]);
      for (const s of await Promise.all(late)) expect(s.split(':')[0]).toBe(s.split(':')[1]);
    });

    it('a synchronous run followed by another on the same tick does not leak', () => {
      const first = ctx.run(A, () => ctx.scope);
      expect(seen()).toBeNull();
      const second = ctx.run(B, () => ctx.scope);
      expect(second).not.toBe(first);
      expect(second?.tenant).toBe(B);
      expect(first?.tenant).toBe(A);
    });

    it('500 interleaved concurrent runs each see only their own tenant', async () => {
      const tenants = Array.from({ length: 500 }, (_, i) => testTenant(`tenant-${i}`));
      const results = await Promise.all(
        tenants.map((t) =>
          ctx.run(t, async () => {
            const checks: string[] = [];
            for (let i = 0; i < 3; i++) {
              await (Math.random() < 0.5 ? sleep(Math.random() * 3) : immediate());
              checks.push(ctx.tenant.identifier);
            }
            return checks.every((c) => c === t.identifier);
          }),
        ),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(seen()).toBeNull();
    });
  });
});
