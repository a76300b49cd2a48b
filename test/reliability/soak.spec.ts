/**
 * @jest-environment ./test/reliability/support/host-process.environment.js
 */
import { describeWith, serviceUrl } from '../support';
import { SOAK_SHAPE } from './soak-config';
import { createPgSandbox, type PgSandbox } from './support/pg-sandbox';
import { runSoak } from './support/soak-scenario';
import { trackUnhandled } from './support/unhandled';

const REQUESTS = 20_000;

describeWith('postgres', 'leak soak (short form): 200 tenants on schema, RLS and database at once', () => {
  let sandbox: PgSandbox;
  beforeAll(async () => {
    sandbox = await createPgSandbox(serviceUrl('postgres'), 'soak');
  }, 60_000);
  afterAll(() => sandbox?.drop(), 60_000);

  it('the unhandled-rejection counter sees a rejection nobody handles', async () => {
    const tracker = trackUnhandled();
    try {
      const rejected = Promise.reject(new Error('nobody listens'));
      await new Promise((r) => setTimeout(r, 20));
      expect(tracker.count).toBe(1);
      rejected.catch(() => undefined); // handled late: Jest withdraws its own report of it
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      tracker.stop();
    }
  });

  it(`${REQUESTS} requests: none crossed, no connection leaked or left scoped, nothing unhandled`, async () => {
    const seed = Number(process.env.SOAK_SEED ?? Date.now() % 100_000);
    const out = await runSoak({ ...SOAK_SHAPE, name: 'hybrid', sandbox, requests: REQUESTS, seed });
    process.stdout.write(`${out.summary}\n${out.details}\n`);

    expect({ crossed: out.load.crossed, samples: out.load.samples }).toEqual({ crossed: 0, samples: [] });
    expect(out.load.wrong).toBe(0);
    expect(out.damaged).toEqual([]);
    expect(out.leaks.details).toEqual([]);
    expect({ unhandled: out.unhandled, reasons: out.unhandledReasons }).toEqual({ unhandled: 0, reasons: [] });
    expect(out.load.requests).toBe(REQUESTS);
    // The faults really happened, and DataSources were evicted while requests ran.
    expect(out.load.failedAsAsked).toBeGreaterThan(REQUESTS * 0.01);
    expect(out.load.aborted).toBeGreaterThan(REQUESTS * 0.01);
    expect(out.dataSources.closed).toBeGreaterThan(0);
    // Only the thrown transactions were logged as errors: nothing else went wrong server-side.
    expect(out.unexpectedLogs).toEqual({});
    expect(out.peakBackends).toBeLessThanOrEqual(out.backendBudget);
  }, 240_000);
});
