/**
 * `npm run soak`: the long form of the reliability suite (test/reliability/*.spec.ts run the
 * short form in `npm test`). Prints one summary line per scenario and exits non-zero on any
 * crossed response, leaked or scoped connection, unhandled rejection or fuzz counterexample.
 *
 * Environment: TENANCY_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres,
 * else an embedded PostgreSQL), SOAK_REQUESTS (200000 per adapter), SOAK_ADAPTERS
 * (express,fastify), SOAK_SEED, FUZZ_GUARD_RUNS (50000 per strategy), FUZZ_HTTP_RUNS (1000 per
 * strategy and adapter).
 */
import { Client } from 'pg';
import { bootAdmin } from '../admin/support/admin-app';
import { AddColor1700000000003, CreateWidgets1700000000001 } from '../admin/support/migrations';
import { startEmbeddedPostgres } from '../support/services';
import { SOAK_SHAPE } from './soak-config';
import { FUZZ_STRATEGIES } from './support/fuzz-requests';
import { fuzzGuard, fuzzHttp } from './support/fuzz-runner';
import { createPgSandbox } from './support/pg-sandbox';
import { inBatches } from './support/soak-app';
import { runSoak } from './support/soak-scenario';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const REQUESTS = Number(env('SOAK_REQUESTS', '200000'));
const ADAPTERS = env('SOAK_ADAPTERS', 'express,fastify').split(',') as Array<'express' | 'fastify'>;
const SEED = Number(env('SOAK_SEED', String(Date.now() % 100_000)));
const GUARD_RUNS = Number(env('FUZZ_GUARD_RUNS', '50000'));
const HTTP_RUNS = Number(env('FUZZ_HTTP_RUNS', '1000'));
const log = (line: string) => process.stdout.write(`${line}\n`);

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function postgres(): Promise<{ url: string; stop(): void }> {
  const url = env('TENANCY_TEST_POSTGRES_URL', 'postgresql://postgres@127.0.0.1:5432/postgres');
  if (await answers(url)) return { url, stop: () => undefined };
  log(`PostgreSQL does not answer at ${url}: starting an embedded one`);
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, stop: () => process.kill(embedded.pid, 'SIGTERM') };
}

async function soaks(adminUrl: string): Promise<string[]> {
  const failures: string[] = [];
  for (const adapter of ADAPTERS) {
    const sandbox = await createPgSandbox(adminUrl, 'long');
    try {
      const started = Date.now();
      const out = await runSoak({
        ...SOAK_SHAPE,
        name: `hybrid-${adapter}`,
        sandbox,
        requests: REQUESTS,
        seed: SEED,
        adapter,
        log,
      });
      log(out.summary);
      log(`${out.details}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
      const problems = {
        crossed: out.load.crossed,
        wrong: out.load.wrong,
        damaged: out.damaged.length,
        leaked: out.leaks.leaked,
        unhandled: out.unhandled,
        unexpectedLogs: Object.keys(out.unexpectedLogs).length,
        overBudget: out.peakBackends > out.backendBudget ? 1 : 0,
      };
      if (Object.values(problems).some((n) => n > 0)) {
        failures.push(`soak ${adapter}: ${JSON.stringify(problems)}`);
        for (const line of [
          ...out.load.samples,
          ...out.leaks.details,
          ...out.damaged,
          ...out.unhandledReasons,
          ...out.unexpectedStacks,
        ])
          log(`  ${line}`);
      }
    } finally {
      await sandbox.drop();
    }
  }
  return failures;
}

async function fuzz(): Promise<string[]> {
  const failures: string[] = [];
  for (const [name, strategy] of FUZZ_STRATEGIES) {
    const started = Date.now();
    try {
      const served = await fuzzGuard(strategy, GUARD_RUNS);
      let http = 0;
      for (const adapter of ['express', 'fastify'] as const) {
        const statuses = await fuzzHttp(strategy, adapter, HTTP_RUNS);
        http += [...statuses.values()].reduce((a, b) => a + b, 0);
      }
      log(
        `fuzz ${name}: ${GUARD_RUNS} guard runs + ${http} HTTP runs, 0 counterexamples, served only ${[...served].sort().join(', ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    } catch (error) {
      log(`fuzz ${name}: FAILED\n${(error as Error).message}`);
      failures.push(`fuzz ${name}`);
    }
  }
  return failures;
}

/** A migration failing in 1 of 100 tenants: the other 99 migrate, the report names the one. */
async function migrations(adminUrl: string): Promise<string[]> {
  const sandbox = await createPgSandbox(adminUrl, 'mig');
  const options = { databaseUrl: sandbox.url, isolationStrategy: 'schema' as const, schemaPrefix: 'mg_', poolSize: 6 };
  const tenants = Array.from({ length: 100 }, (_, i) => `mig-${String(i).padStart(3, '0')}`);
  const bad = tenants[Math.floor(Math.random() * tenants.length)];
  try {
    const started = Date.now();
    const first = await bootAdmin({ ...options, migrations: [CreateWidgets1700000000001] });
    await inBatches(tenants, 5, (identifier) => first.admin.register({ identifier, name: identifier }));
    await first.close();
    const app = await bootAdmin({ ...options, migrations: [CreateWidgets1700000000001, AddColor1700000000003] });
    AddColor1700000000003.failIn = `mg_${bad.replaceAll('-', '_')}`;
    try {
      const report = await app.admin.migrate({ concurrency: 4 });
      const failed = report.results.filter((r) => r.status === 'failed').map((r) => r.tenant);
      const migrated = report.results.filter((r) => r.status === 'migrated' && r.applied.length === 1).length;
      log(
        `migrations: ${report.results.length} tenants, ${migrated} migrated, ${report.failed} failed (${failed.join(', ')}; injected in ${bad}) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      return migrated === 99 && failed.length === 1 && failed[0] === bad ? [] : ['migrations'];
    } finally {
      await app.close();
    }
  } finally {
    await sandbox.drop();
  }
}

async function main(): Promise<number> {
  const pg = await postgres();
  try {
    log(`soak: ${REQUESTS} requests per adapter (${ADAPTERS.join(', ')}), seed ${SEED}`);
    const failures = [...(await soaks(pg.url)), ...(await migrations(pg.url)), ...(await fuzz())];
    log(failures.length ? `FAILED: ${failures.join('; ')}` : 'soak: all scenarios clean');
    return failures.length ? 1 : 0;
  } finally {
    pg.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
