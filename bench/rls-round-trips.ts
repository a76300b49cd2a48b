// `node -r ./tools/register.js bench/rls-round-trips.ts` (ROUNDS, SEC, LABEL env): round trips and app CPU
// per GET of the library's RLS child against the RLS sketch (issue 13), alternating, 10 tenants.
import { Child, hammer } from './load';
import { createBenchDb, dropBenchDb, seedRlsTenants } from './seed';
import { specFor } from './scenarios';
async function main() {
  const db = await createBenchDb('postgresql://postgres@127.0.0.1:5432/postgres');
  try {
    const t = await seedRlsTenants(db, 10);
    const cfg = { poolSize: 10, countQueries: true } as never;
    const ids = Object.fromEntries(t.map((x) => [x.identifier, x.id]));
    const kids = {
      lib: await Child.start(specFor(db, cfg, 'rls', { kind: 'tenancy', strategy: 'rls' }), false),
      sketch: await Child.start(
        specFor(db, cfg, 'rls-sketch', { kind: 'rls-sketch', strategy: 'rls', tenantIds: ids }),
        false,
      ),
    };
    const load = {
      method: 'GET' as const,
      tenants: t.map((x) => x.identifier),
      seconds: Number(process.env.SEC ?? 4),
      connections: 10,
    };
    for (const c of Object.values(kids)) await hammer(c.port, { ...load, seconds: 6 });
    for (let i = 0; i < Number(process.env.ROUNDS ?? 3); i++) {
      for (const [name, c] of Object.entries(kids)) {
        const before = await c.stats();
        const r = await hammer(c.port, load);
        const after = await c.stats();
        const req = after.requests - before.requests;
        console.log(
          `${process.env.LABEL} round ${i} ${name}: ${r['2xx']} ok, ${r.non2xx} non-2xx, trips/req ${((after.queries - before.queries) / req).toFixed(2)}, cpu µs/req ${((after.cpuMicros - before.cpuMicros) / req).toFixed(0)}`,
        );
      }
    }
    for (const c of Object.values(kids)) await c.stop();
  } finally {
    await dropBenchDb(db);
  }
}
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
