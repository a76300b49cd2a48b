import { ResolutionMetrics } from './resolution.metrics';

describe('ResolutionMetrics', () => {
  it('counts resolutions and rejections by reason, in snapshots that do not move', () => {
    const metrics = new ResolutionMetrics();
    const before = metrics.snapshot();
    metrics.recordResolved();
    metrics.recordRejected('unknown');
    metrics.recordRejected('unknown');
    metrics.recordRejected('invalid_token');
    metrics.recordRateLimited();
    const after = metrics.snapshot();
    expect(before.rejected.byReason.unknown).toBe(0);
    expect(after).toMatchObject({ resolved: 1, rateLimited: 1, rejected: { total: 3 } });
    expect(after.rejected.byReason).toMatchObject({ unknown: 2, invalid_token: 1, missing: 0, lookup_error: 0 });
  });
});
