import { Injectable } from '@nestjs/common';
import { REJECTION_REASONS, type RejectionReason } from './rejection-reason';

/** A copy of the counters at one moment. */
export interface ResolutionMetricsSnapshot {
  /** Requests that got a tenant. */
  readonly resolved: number;
  /** Requests refused with the uniform 404, in total and by reason (every reason present, 0 or more). */
  readonly rejected: { readonly total: number; readonly byReason: Readonly<Record<RejectionReason, number>> };
  /** Requests refused with 429 by the per-tenant rate limit. */
  readonly rateLimited: number;
}

/**
 * In-process counters of tenant resolution, kept by the TenancyGuard. The reason a request was
 * refused lives here (and in the debug log), never in the response.
 * @example app.get(ResolutionMetrics).snapshot().rejected.byReason.unknown
 */
@Injectable()
export class ResolutionMetrics {
  private resolved = 0;
  private rateLimited = 0;
  private readonly byReason = Object.fromEntries(REJECTION_REASONS.map((r) => [r, 0])) as Record<
    RejectionReason,
    number
  >;

  recordResolved(): void {
    this.resolved++;
  }

  recordRejected(reason: RejectionReason): void {
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
  }

  recordRateLimited(): void {
    this.rateLimited++;
  }

  snapshot(): ResolutionMetricsSnapshot {
    const byReason = { ...this.byReason };
    const total = Object.values(byReason).reduce((sum, n) => sum + n, 0);
    return { resolved: this.resolved, rejected: { total, byReason }, rateLimited: this.rateLimited };
  }
}
