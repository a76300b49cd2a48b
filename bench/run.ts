// `npm run bench [-- --quick] [--profile] [--diagnose] [--only=B1,B5] [--no-count] [--node=24] [--get-only]`: issues 7 and 13.
// --node=N: children and scripts run on Node N (the npm registry's `node@N` package, installed once
//   under bench/.raw/node<N>, never committed); the parent stays on the current Node.
// --profile: each child records a V8 CPU profile of its measured load (after warm-up) in
//   bench/.raw/profiles; summarize one with bench/profile-summary.ts.
// --diagnose: B1 GET also runs the baseline plus one piece of the library's plumbing (plumbing.ts).
// --seconds=N --rounds=N --warm=N override the segment length, rounds and warm-up per case.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { B4Result } from './b4-provision';
import type { B5Result } from './b5-guard';
import { closeWatcher, PROFILE_DIR, runScript, useNodeBinary } from './load';
import { textTable, type Row } from './report';
import { b1Rows, b7Rows, b2Rows, b3Rows, b4Rows, b5Rows, machine, resultsMarkdown, roundTripTable } from './results';
import { runB1, runB2, runB3, type BenchConfig, type Case } from './scenarios';
import {
  createBenchDb,
  dropBenchDb,
  seedBaseline,
  seedDatabaseTenants,
  seedRlsTenants,
  seedSchemaTenants,
  sql,
  type BenchDb,
  type Tenants,
} from './seed';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .toUpperCase()
  .split(',');
// --get-only: B1/B6 measure GET only (quicker comparisons while developing).
const getOnly = args.includes('--get-only');
const wants = (id: string) => !only || only.includes(id);
const numberArg = (name: string) => {
  const v = args.find((a) => a.startsWith(`--${name}=`));
  return v ? Number(v.slice(name.length + 3)) : undefined;
};

const cfg: BenchConfig = {
  quick,
  profile: args.includes('--profile'),
  countQueries: !args.includes('--no-count'),
  diagnose: args.includes('--diagnose'),
  seconds: numberArg('seconds') ?? (quick ? 0.75 : 5),
  // On 2 shared cores V8 needs 10-20 s of load to reach steady state (more code: longer).
  warmSeconds: numberArg('warm') ?? (quick ? 1 : 10),
  rounds: numberArg('rounds') ?? (quick ? 2 : 5),
  connections: 10,
  poolSize: 10,
  b2Tenants: quick ? 1000 : 10_000,
  b3Databases: quick ? 100 : 1000, // dropping a database takes 0.2-0.5 s on this machine
  b3Hot: 40,
  b3MaxCached: 50,
  b4Tenants: quick ? 40 : 1000,
  b5Iterations: quick ? 200_000 : 2_000_000,
};

/** `--node=24`: the binary of the npm `node@24` package, installed under bench/.raw on first use. */
function nodeBinary(major: string): string {
  const prefix = join(__dirname, '.raw', `node${major}`);
  const bin = join(prefix, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['i', '--prefix', prefix, `node@${major}`, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  }
  return bin;
}
const nodeMajor = args.find((a) => a.startsWith('--node='))?.slice(7);
const childNodeVersion = nodeMajor
  ? (useNodeBinary(nodeBinary(nodeMajor)), execFileSync(nodeBinary(nodeMajor), ['--version']).toString().trim())
  : process.version;

const started = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);

async function main(): Promise<void> {
  console.log(
    quick
      ? `QUICK RUN (--quick): ${cfg.rounds} rounds × ${cfg.seconds} s, B2 over ${cfg.b2Tenants} tenants, B3 over ${cfg.b3Databases} databases, B4 ${cfg.b4Tenants} tenants, B6 GET only. A smoke test, not the figures of record.`
      : `FULL RUN: ${cfg.rounds} rounds × ${cfg.seconds} s, B2 ${cfg.b2Tenants} tenants, B3 ${cfg.b3Databases} databases, B4 ${cfg.b4Tenants} tenants (about 30 min).`,
  );
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const db = await createBenchDb(adminUrl);
  log(`database ${db.name} created`);
  const stop = () => void dropBenchDb(db).finally(() => process.exit(130));
  process.once('SIGINT', stop);

  const rows: Row[] = [];
  const notes: string[] = [];
  let b1Cases: Case[] = [];
  let pgVersion = '';
  try {
    pgVersion = String((await sql(db.url('bench-seed'), 'SHOW server_version'))[0].server_version);
    pgVersion = `PostgreSQL ${pgVersion}, max_connections ${String((await sql(db.url('bench-seed'), 'SHOW max_connections'))[0].max_connections)}`;
    notes.push(await statementCounting(db.url('bench-seed')));

    if (wants('B5')) {
      log('B5 guard path micro-benchmark');
      rows.push(...b5Rows(await runScript<B5Result>('b5-guard.ts', { iterations: cfg.b5Iterations })));
    }
    const needs = { b1: wants('B1') || wants('B6'), b2: wants('B2'), b3: wants('B3') };
    const schemaCount = needs.b2 ? cfg.b2Tenants : needs.b1 ? 10 : 0;
    const tenants: Tenants = { schema: [], rls: [], database: [] };
    if (needs.b1) await seedBaseline(db);
    if (schemaCount) tenants.schema = await seedSchemaTenants(db, schemaCount);
    if (schemaCount) tenants.rls = await seedRlsTenants(db, schemaCount);
    if (needs.b1 || needs.b3) tenants.database = await seedDatabaseTenants(db, needs.b3 ? cfg.b3Databases : 10);
    log(
      `seeded: ${tenants.schema.length} schema, ${tenants.rls.length} RLS, ${tenants.database.length} database tenants (10 rows each)`,
    );

    if (wants('B1')) {
      b1Cases = await runB1(db, cfg, tenants, 'express', getOnly ? ['GET'] : ['GET', 'POST'], log);
      rows.push(...b1Rows('B1', b1Cases, ''), ...b7Rows(b1Cases, ''));
    }
    if (wants('B2')) rows.push(...b2Rows(await runB2(db, cfg, tenants, log), cfg));
    if (wants('B3')) rows.push(...b3Rows(await runB3(db, cfg, tenants, log), cfg));
    if (wants('B6')) {
      const b6 = await runB1(db, cfg, tenants, 'fastify', quick || getOnly ? ['GET'] : ['GET', 'POST'], log);
      rows.push(...b1Rows('B6', b6, '/fastify'), ...b7Rows(b6, '/fastify'));
      notes.push(
        "B6 on Express is B1 (same app); B6 applies B1's targets per strategy (0.90 schema and RLS, 0.85 database) on Fastify.",
      );
    }
    if (wants('B4')) {
      log(`B4 provisioning ${cfg.b4Tenants} schema tenants, library vs raw SQL`);
      rows.push(
        ...b4Rows(
          await runScript<B4Result>('b4-provision.ts', {
            url: await b4Database(db),
            tenants: cfg.b4Tenants,
            concurrency: 4,
          }),
        ),
      );
    }
  } finally {
    await closeWatcher();
    log('dropping the bench database and tenant databases');
    await dropBenchDb(db);
    process.removeListener('SIGINT', stop);
  }

  const order = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'];
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
  console.log(`\n${quick ? 'QUICK RUN — ' : ''}results (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  console.log(textTable(rows));
  if (b1Cases.length) console.log(`\nround trips per request (B1):\n${roundTripTable(b1Cases)}`);
  for (const n of notes) console.log(`note: ${n}`);
  if (cfg.profile)
    console.log(
      `CPU profiles in ${PROFILE_DIR} (summarize: node -r ./tools/register.js bench/profile-summary.ts <file>)`,
    );

  const doc = resultsMarkdown({ cfg, machine: machine(pgVersion, childNodeVersion), load, rows, b1Cases, notes });
  // A quick run never overwrites the figures of record; another Node's run has its own file.
  const name = nodeMajor ? `RESULTS.node${nodeMajor}.md` : 'RESULTS.md';
  const out = quick || only ? join(__dirname, '.raw', `quick.${name}`) : join(__dirname, name);
  mkdirSync(join(__dirname, '.raw'), { recursive: true });
  writeFileSync(out, doc);
  console.log(`\nwrote ${out}`);
}

/** B4 gets a database of its own: the catalog size of B2's 10,000 schemas would weigh on it. */
async function b4Database(db: BenchDb): Promise<string> {
  const name = `${db.dbPrefix}b4`;
  await sql(db.adminUrl, `CREATE DATABASE "${name}"`);
  return db.url('bench-b4', false, name);
}

/** pg_stat_statements needs shared_preload_libraries; say which counter the run used. */
async function statementCounting(url: string): Promise<string> {
  try {
    await sql(url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements', 'SELECT 1 FROM pg_stat_statements LIMIT 1');
    return 'pg_stat_statements is loaded; round trips are still counted per child at the pg driver (Client#query), which attributes them per variant.';
  } catch {
    return 'pg_stat_statements is not loaded (shared_preload_libraries): round trips are counted at the pg driver in each child (Client#query calls ÷ 2xx responses).';
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
