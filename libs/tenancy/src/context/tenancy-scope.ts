import type { Tenant } from '../models/tenant.model';

/** Something a scope holds that must be given back when the scope ends (a connection, a lease). */
export type ScopeCleanup = () => void | Promise<void>;

/**
 * The per-request (or per-`run`) state kept in AsyncLocalStorage: one small object.
 * `slots` lets the connection layer cache the tenant's scoped resources for this unit of work.
 */
export class TenancyScope {
  tenant: Tenant | null;
  readonly slots = new Map<unknown, unknown>();
  private cleanups: ScopeCleanup[] = [];
  private closed = false;

  constructor(tenant: Tenant | null = null) {
    this.tenant = tenant;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Registers work to run when the scope ends; runs at once if it already ended. */
  onClose(cleanup: ScopeCleanup): void {
    if (this.closed) void Promise.resolve().then(cleanup);
    else this.cleanups.push(cleanup);
  }

  /** Ends the scope: runs cleanups in reverse order, once. Never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const cleanups = this.cleanups.reverse();
    this.cleanups = [];
    this.slots.clear();
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch {
        // A cleanup failing (e.g. a broken connection) must not stop the others.
      }
    }
  }
}
