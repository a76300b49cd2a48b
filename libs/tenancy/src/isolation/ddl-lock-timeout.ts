import type { QueryRunner } from 'typeorm';
import { optionLabel } from '../config/option-specs';
import { TenancyError } from '../errors/tenancy.error';

/** PostgreSQL's SQLSTATE for `lock_timeout` expiring (lock_not_available). */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * @internal Runs `fn` (DDL on the shared RLS tables) with the session's `lock_timeout` set to
 * `ms` on `runner` (PostgreSQL), reset after. A statement that waited longer for its lock fails
 * with an error naming the tables other sessions hold locks on and the option, instead of
 * queueing every tenant's readers behind it (issue 12, FAILURES L7). `ms` 0: waits as before.
 */
export async function withDdlLockTimeout<T>(runner: QueryRunner, ms: number, fn: () => Promise<T>): Promise<T> {
  if (ms <= 0) return fn();
  await runner.query("SELECT set_config('lock_timeout', $1, false)", [`${ms}ms`]);
  try {
    return await fn();
  } catch (error) {
    if (!isLockTimeout(error)) throw error;
    throw new TenancyError(
      `DDL on the shared RLS tables waited ${ms} ms for a lock and gave up, so readers were not kept waiting ` +
        `behind it (${optionLabel('ddlLockTimeoutMs')}). ${await heldBy(runner)}Run it again when those ` +
        'transactions have ended, or raise the option.',
    );
  } finally {
    await runner.query('RESET lock_timeout');
  }
}

function isLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null) ?? {};
  return code.code === LOCK_NOT_AVAILABLE || code.driverError?.code === LOCK_NOT_AVAILABLE;
}

/** Tables in `public` other sessions hold locks on right now (the ones the DDL waited for). */
async function heldBy(runner: QueryRunner): Promise<string> {
  try {
    const rows = (await runner.query(
      'SELECT DISTINCT c.relname AS "table" FROM pg_locks l JOIN pg_class c ON c.oid = l.relation ' +
        "WHERE l.granted AND l.pid <> pg_backend_pid() AND c.relnamespace = 'public'::regnamespace " +
        "AND c.relkind IN ('r', 'p') ORDER BY 1",
    )) as Array<{ table: string }>;
    return rows.length ? `Other sessions hold locks on ${rows.map((r) => `public.${r.table}`).join(', ')}. ` : '';
  } catch {
    return '';
  }
}
