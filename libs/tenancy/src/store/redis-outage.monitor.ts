import type { Logger } from '@nestjs/common';

/**
 * @internal Tracks whether Redis is reachable, so an outage logs ONE warning (and its end one
 * line), however many requests fail during it.
 */
export class RedisOutageMonitor {
  /** Errors seen (connection and command), for `stats()`. */
  errors = 0;
  private down = false;

  constructor(private readonly logger: Logger) {}

  /** True while an outage is known. */
  get isDown(): boolean {
    return this.down;
  }

  failed(error: unknown): void {
    this.errors++;
    if (this.down) return;
    this.down = true;
    const message = (error as { message?: unknown } | null)?.message;
    const why = typeof message === 'string' ? message : String(error);
    this.logger.warn(`Redis unavailable (${why}); serving tenants from the L1 cache and the store until it is back`);
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.log('Redis is reachable again; L2 cache and cross-instance invalidation resumed');
  }
}
