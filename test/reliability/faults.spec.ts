/**
 * @jest-environment ./test/reliability/support/host-process.environment.js
 */
import Redis from 'ioredis';
import { TenantStore } from 'nestjs-tenancy';
import type { CachedTenantStore } from '../../libs/tenancy/src/store/cached-tenant.store';
import { describeWith, pgAdmin, serviceUrl, uniqueToken } from '../support';
import { checkForLeaks } from './support/leak-check';
import { createPgSandbox, type PgSandbox } from './support/pg-sandbox';
import { bootSoakApp, type SoakApp } from './support/soak-app';
import { underLoad } from './support/soak-load';
import { closedPort, TcpRelay } from '../support/tcp-relay';
import { trackUnhandled } from './support/unhandled';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNAVAILABLE = '{"statusCode":503,"message":"Service Unavailable"}';

/** Kills every backend of the app's databases from an admin connection; returns how many. */
async function terminateBackends(sandbox: PgSandbox): Promise<number> {
  const rows = await pgAdmin(
    sandbox.adminUrl,
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND (datname = '${sandbox.name}' OR starts_with(datname, '${sandbox.databasePrefix}'))`,
  );
  return Number(rows[0].n);
}

describeWith('postgres', 'faults under load', () => {
  let sandbox: PgSandbox;
  beforeAll(async () => {
    sandbox = await createPgSandbox(serviceUrl('postgres'), 'fault');
  }, 60_000);
  afterAll(() => sandbox?.drop(), 60_000);

  describe('PostgreSQL', () => {
    let soak: SoakApp;
    beforeAll(async () => {
      soak = await bootSoakApp({
        sandbox,
        counts: { schema: 10, rls: 10, database: 6 },
        poolSize: 4,
        maxCachedDataSources: 8,
      });
    }, 60_000);
    afterAll(() => soak?.close(), 30_000);

    it('backends killed mid-load: requests succeed or fail cleanly (5xx), never cross; service recovers within seconds', async () => {
      const unhandled = trackUnhandled();
      try {
        const options = {
          port: soak.port,
          tenants: soak.tenants,
          requests: 1e9,
          concurrency: 32,
          failRate: 0.02,
          abortRate: 0,
          seed: 7,
          tolerate: [500, 503],
        };
        const {
          load: r,
          value: { killed, lastKill },
        } = await underLoad(options, async () => {
          await sleep(500);
          let n = 0;
          for (let i = 0; i < 3; i++) {
            n += await terminateBackends(sandbox);
            await sleep(600);
          }
          const last = Date.now();
          n += await terminateBackends(sandbox);
          await sleep(3_000);
          return { killed: n, lastKill: last };
        });
        // By send time: a request sent before the kill that fails late measures latency under load, not recovery.
        const recoveredMs = Math.max(0, ...r.errorTimes.filter((t) => t >= lastKill).map((t) => t - lastKill));
        const leaks = await checkForLeaks(soak.app, sandbox);
        process.stdout.write(
          `faults pg-terminate: ${r.requests} requests, ${r.crossed} crossed, ${r.tolerated} answered 5xx while ${killed} backends were killed, ` +
            `last 5xx to a request sent ${recoveredMs} ms after the last kill, ${leaks.leaked} leaked connections, ${unhandled.count} unhandled\n`,
        );
        expect({ crossed: r.crossed, wrong: r.wrong, samples: r.samples }).toEqual({
          crossed: 0,
          wrong: 0,
          samples: [],
        });
        expect(killed).toBeGreaterThan(0);
        expect(recoveredMs).toBeLessThan(2_000);
        expect(r.okTimes.filter((t) => t > lastKill + 2_000).length).toBeGreaterThan(0);
        expect(leaks.details).toEqual([]);
        expect(unhandled.reasons).toEqual([]);
      } finally {
        unhandled.stop();
      }
    }, 60_000);

    it('a database tenant whose database is unreachable gets 503; every other tenant is served meanwhile', async () => {
      const store = soak.app.get<TenantStore>(TenantStore);
      const port = await closedPort();
      const broken = await store.create({
        identifier: 'd-unreachable',
        name: 'unreachable',
        isolationStrategy: 'database',
        status: 'active',
        databaseUrl: `postgresql://postgres@127.0.0.1:${port}/nowhere`,
      });
      const base = `http://127.0.0.1:${soak.port}`;
      const get = async (tenant: string) => {
        const res = await fetch(`${base}/orders/raw`, { headers: { 'X-Tenant-ID': tenant } });
        return { tenant, status: res.status, body: await res.text() };
      };
      const others = soak.tenants;
      const results = await Promise.all([
        ...Array.from({ length: 60 }, () => get(broken.identifier)),
        ...Array.from({ length: 240 }, (_, i) => get(others[i % others.length].identifier)),
      ]);
      const brokenAnswers = new Set(
        results.filter((x) => x.tenant === broken.identifier).map((x) => `${x.status} ${x.body}`),
      );
      expect([...brokenAnswers]).toEqual([`503 ${UNAVAILABLE}`]);
      const bad = results.filter((x) => x.tenant !== broken.identifier && x.status !== 200);
      expect(bad).toEqual([]);
      for (const x of results.filter((y) => y.tenant !== broken.identifier)) {
        expect(JSON.parse(x.body)).toEqual(
          others.find((t) => t.identifier === x.tenant)!.labels.map((label) => ({ label })),
        );
      }
      process.stdout.write(
        `faults unreachable-database: 60 requests to it all 503, ${results.length - 60} to ${others.length} other tenants all 200\n`,
      );
    }, 60_000);
  });

  describeWith('redis', 'Redis unreachable mid-load (through a proxy this test cuts)', () => {
    let soak: SoakApp;
    let proxy: TcpRelay;
    beforeAll(async () => {
      const redis = new URL(serviceUrl('redis'));
      proxy = await new TcpRelay(redis.hostname, Number(redis.port || 6379)).start();
      soak = await bootSoakApp({
        sandbox,
        counts: { schema: 10, rls: 6, database: 0 },
        poolSize: 4,
        maxCachedDataSources: 4,
        // Identifiers unique to this run: the L2 keys live in Redis's shared key space.
        idPrefix: `x${uniqueToken().slice(-6)}-`,
        extra: { redisUrl: `redis://127.0.0.1:${proxy.port}`, l1CacheTtlSeconds: 1 },
      });
    }, 60_000);
    afterAll(async () => {
      await soak?.close();
      await proxy?.close();
    }, 30_000);

    it('serves every request from L1 and the store while Redis is cut; the L2 cache resumes when it is back', async () => {
      const store = soak.app.get<CachedTenantStore>(TenantStore);
      // L2 lookups that reached Redis (L1 and L2 share the TTL, so one instance mostly misses L2)
      const stats = () => {
        const { l1, l2 } = store.stats();
        return { lookups: l2.hits + l2.misses, errors: l2.errors, l1Misses: l1.misses };
      };
      const unhandled = trackUnhandled();
      try {
        const options = {
          port: soak.port,
          tenants: soak.tenants,
          requests: 1e9,
          concurrency: 16,
          failRate: 0,
          abortRate: 0,
          seed: 11,
        };
        const {
          load: r,
          value: { before, during, after },
        } = await underLoad(options, async () => {
          for (const until = Date.now() + 10_000; stats().lookups < 5 && Date.now() < until;) await sleep(50);
          const atCut = stats();
          proxy.cut();
          await sleep(2_500);
          const cut = stats();
          proxy.restore();
          for (const until = Date.now() + 10_000; stats().lookups <= cut.lookups + 5 && Date.now() < until;)
            await sleep(100);
          return { before: atCut, during: cut, after: stats() };
        });
        process.stdout.write(
          `faults redis-cut: ${r.requests} requests, ${r.crossed} crossed, ${r.wrong} failed; L2 lookups ${before.lookups} before, ` +
            `${during.lookups - before.lookups} during the cut (${during.errors - before.errors} errors, ${during.l1Misses - before.l1Misses} L1 misses served by the store), ${after.lookups - during.lookups} after it came back\n`,
        );
        expect({ crossed: r.crossed, wrong: r.wrong, samples: r.samples }).toEqual({
          crossed: 0,
          wrong: 0,
          samples: [],
        });
        expect(before.lookups).toBeGreaterThan(0);
        expect(during.errors).toBeGreaterThan(before.errors);
        expect(during.l1Misses).toBeGreaterThan(before.l1Misses); // L1 expired meanwhile: the store answered
        expect(during.lookups - before.lookups).toBeLessThanOrEqual(1); // at most one in flight at the cut
        expect(after.lookups).toBeGreaterThan(during.lookups + 5);
        expect(unhandled.reasons).toEqual([]);
      } finally {
        unhandled.stop();
      }
      // the real Redis was never touched
      const direct = new Redis(serviceUrl('redis'));
      expect(await direct.ping()).toBe('PONG');
      direct.disconnect();
    }, 60_000);
  });
});
