import { Logger } from '@nestjs/common';
import type { AdapterName } from '../resolution/support/tenancy-test-app';
import { FUZZ_STRATEGIES } from './support/fuzz-requests';
import { fuzzGuard, fuzzHttp } from './support/fuzz-runner';

/**
 * Resolution under hostile input: arbitrary and homoglyph identifiers, NUL, quotes, `;`, `..`,
 * overlong values, duplicated headers, malformed and mis-signed JWTs, odd Host headers and
 * paths. 10,000 runs: most call the guard directly, a few hundred go through HTTP on both
 * adapters. Never a 500; only the named active tenant, or the exact uniform 404.
 */
const GUARD_RUNS = Number(process.env.FUZZ_GUARD_RUNS ?? 2_300); // per strategy
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 100); // per strategy and adapter

describe('resolution fuzzing (fast-check): never a 500, only the named active tenant or the uniform 404', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  describe.each(FUZZ_STRATEGIES)('%s', (_name, strategy) => {
    it(`${GUARD_RUNS} requests straight through the guard`, async () => {
      const served = await fuzzGuard(strategy, GUARD_RUNS);
      expect(served.size).toBeGreaterThan(1); // the accepting path was exercised too
    }, 60_000);

    it.each<AdapterName>(['express', 'fastify'])(
      `${HTTP_RUNS} requests over HTTP on %s`,
      async (adapter) => {
        const statuses = await fuzzHttp(strategy, adapter, HTTP_RUNS);
        expect(statuses.get(500)).toBeUndefined();
      },
      60_000,
    );
  });
});
