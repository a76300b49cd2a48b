import { AsyncResource } from 'node:async_hooks';
import { EventEmitter, EventEmitterAsyncResource, once } from 'node:events';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as immediate, setInterval as every, setTimeout as sleep } from 'node:timers/promises';
import { testTenant } from '../testing/test-tenant';
import { TenantContext } from './tenant-context';

const A = testTenant('acme');
const B = testTenant('globex');
const C = testTenant('initech');
const ctx = new TenantContext();
const seen = () => ctx.tenantOrNull?.identifier ?? null;

describe('TenantContext across async boundaries', () => {
  describe('survives', () => {
    it('long await chains through nested async functions', async () => {
      const deep = async (n: number): Promise<string[]> => {
        await null;
        await Promise.resolve();
        if (n === 0) return [ctx.tenant.identifier];
        const rest = await deep(n - 1);
        await new Promise<void>((r) => process.nextTick(r));
        return [ctx.tenant.identifier, ...rest];
      };
      const result = await ctx.run(A, () => deep(50));
      expect(new Set(result)).toEqual(new Set(['acme']));
      expect(result).toHaveLength(51);
    });

    it('Promise.all, Promise.race, then-chains and async iteration', async () => {
      await ctx.run(B, async () => {
        const all = await Promise.all([1, 2, 3].map(async (i) => (await sleep(i), seen())));
        expect(all).toEqual(['globex', 'globex', 'globex']);
        expect(await Promise.race([sleep(5).then(seen), sleep(1).then(seen)])).toBe('globex');
        expect(
          await Promise.resolve()
            .then(seen)
            .then((v) => `${v}|${seen()}`),
        ).toBe('globex|globex');
        async function* gen() {
          for (let i = 0; i < 3; i++) {
            await immediate();
            yield seen();
          }
        }
        const out: Array<string | null> = [];
        for await (const v of gen()) out.push(v, seen());
        expect(out).toEqual(Array(6).fill('globex'));
      });
    });

    it('setTimeout, setImmediate, setInterval, process.nextTick and queueMicrotask callbacks', async () => {
      const got = await ctx.run(C, () => {
        const cb = (fn: (done: () => void) => void) =>
          new Promise<string | null>((resolve) => fn(() => resolve(seen())));
        return Promise.all([
          cb((done) => setTimeout(done, 5)),
          cb((done) => setTimeout(done, 0)),
          cb((done) => setImmediate(done)),
          cb((done) => process.nextTick(done)),
          cb((done) => queueMicrotask(done)),
          cb((done) => {
            let ticks = 0;
            const timer = setInterval(() => {
              if (++ticks === 3) {
                clearInterval(timer);
                done();
              }
            }, 1);
          }),
        ]);
      });
      expect(got).toEqual(Array(6).fill('initech'));
    });

    it('promise-returning timers (node:timers/promises)', async () => {
      await ctx.run(A, async () => {
        await sleep(2);
        expect(seen()).toBe('acme');
        expect(await sleep(1, 'v').then((v) => `${v}:${seen()}`)).toBe('v:acme');
        await immediate();
        expect(seen()).toBe('acme');
        let n = 0;
        for await (const _ of every(1)) {
          expect(seen()).toBe('acme');
          if (++n === 3) break;
        }
      });
    });

    it("a Readable stream's data and end handlers, and a pipeline's transform", async () => {
      await ctx.run(B, async () => {
        const chunks: string[] = [];
        let pending = 3;
        const source = new Readable({
          read() {
            // Push later, from a timer, as a socket or file would.
            setTimeout(() => this.push(pending-- > 0 ? `c${pending}` : null), 1);
          },
        });
        source.on('data', (chunk: Buffer) => chunks.push(`${String(chunk)}@${seen()}`));
        await once(source, 'end');
        expect(chunks).toEqual(['c2@globex', 'c1@globex', 'c0@globex']);
        expect(seen()).toBe('globex');

        const upper = new Transform({
          transform(chunk: Buffer, _enc, done) {
            setImmediate(() => done(null, `${String(chunk).toUpperCase()}@${seen()}`));
          },
        });
        const sink = new PassThrough();
        const read: string[] = [];
        sink.on('data', (c: Buffer) => read.push(String(c)));
        await pipeline(Readable.from(['a', 'b']), upper, sink);
        expect(read).toEqual(['A@globex', 'B@globex']);
      });
    });

    it('EventEmitter handlers registered inside the run, fired later inside it', async () => {
      const shared = new EventEmitter(); // created outside any tenant
      await ctx.run(A, async () => {
        const local = new EventEmitter();
        const got: Array<string | null> = [];
        shared.on('job', () => got.push(seen()));
        local.on('job', () => got.push(seen()));
        setTimeout(() => shared.emit('job'), 1);
        await once(shared, 'job');
        setImmediate(() => local.emit('job'));
        await once(local, 'job');
        expect(got).toEqual(['acme', 'acme']);
        shared.removeAllListeners();
      });
    });

    it('EventEmitter handlers fired from elsewhere, when bound to the run (EventEmitterAsyncResource, AsyncResource.bind)', async () => {
      const got: string[] = [];
      const { bound, plain, emitterAsync } = await ctx.run(A, async () => ({
        bound: new EventEmitter().on(
          'x',
          AsyncResource.bind(() => got.push(`bound:${seen()}`)),
        ),
        plain: new EventEmitter().on('x', () => got.push(`plain:${seen()}`)),
        emitterAsync: new EventEmitterAsyncResource({ name: 'tenant-events' }).on('x', () =>
          got.push(`async-resource:${seen()}`),
        ),
      }));
      await ctx.run(B, async () => {
        await immediate();
        bound.emit('x');
        emitterAsync.emit('x');
        plain.emit('x');
      });
      emitterAsync.emitDestroy();
      // A plain handler runs in the emitter's caller context, as with any AsyncLocalStorage:
      // work handed across tenants must be bound, or it runs as the caller's tenant.
      expect(got).toEqual(['bound:acme', 'async-resource:acme', 'plain:globex']);
    });
  });
});
