import { describeWith, serviceUrl } from '../support';
import { createPgSandbox, type PgSandbox } from './support/pg-sandbox';
import { bootSoakApp, HandlerOutcomes, type SoakApp } from './support/soak-app';
import { abortMidRequest } from './support/soak-http';
import { checkForLeaks } from './support/leak-check';

/**
 * A client that goes away ends the request's tenancy scope (and its DataSource lease) while the
 * handler is still running. Before the fix, evicting that tenant's DataSource then closed it
 * under the handler: its transaction died with "Connection terminated" / "Driver not Connected".
 */
describeWith('postgres', 'database-per-tenant eviction after a client disconnects', () => {
  let sandbox: PgSandbox;
  let soak: SoakApp;
  beforeAll(async () => {
    sandbox = await createPgSandbox(serviceUrl('postgres'), 'evict');
    soak = await bootSoakApp({
      sandbox,
      counts: { schema: 0, rls: 0, database: 2 },
      poolSize: 2,
      maxCachedDataSources: 1,
    });
  }, 60_000);
  afterAll(async () => {
    await soak?.close();
    await sandbox?.drop();
  }, 60_000);

  it('the handler of an aborted request finishes on its DataSource; the DataSource closes afterwards', async () => {
    const [a, b] = soak.tenants;
    const outcomes = soak.app.get(HandlerOutcomes).outcomes;
    // a's handler sleeps 400 ms in a transaction; its client leaves after 100 ms
    await abortMidRequest(soak.port, a.identifier, '/soak/sleep/400', 100);
    // b's request evicts a's DataSource (maxCachedDataSources 1) while a's handler still runs
    const res = await fetch(`http://127.0.0.1:${soak.port}/orders/whoami`, {
      headers: { 'X-Tenant-ID': b.identifier },
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5_000;
    while (outcomes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(outcomes).toEqual(['ok']);
    // and the evicted DataSource was closed once idle: a's database has no backend left
    const leaks = await checkForLeaks(soak.app, sandbox);
    expect(leaks.details).toEqual([]);
  });
});
