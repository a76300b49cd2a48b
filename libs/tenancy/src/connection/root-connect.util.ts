import type { DataSource } from 'typeorm';
import { optionLabel } from '../config/option-specs';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyError } from '../errors/tenancy.error';

const DEFAULT_RETRIES = 2;
const DEFAULT_DELAY_MS = 1000;

/**
 * Initializes the root DataSource, made fresh for each try, with bounded retries
 * (`typeorm.retryAttempts` more tries, `typeorm.retryDelay` ms apart). The last failure becomes a
 * `TenancyError` naming `TENANCY_DATABASE_URL` and where it points (never the password).
 */
export async function connectRoot(make: () => DataSource, options: ResolvedTenancyOptions): Promise<DataSource> {
  const retries = options.typeorm?.retryAttempts ?? DEFAULT_RETRIES;
  const delay = options.typeorm?.retryDelay ?? DEFAULT_DELAY_MS;
  let last: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, delay));
    const dataSource = make();
    try {
      return await dataSource.initialize();
    } catch (error) {
      last = error;
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    }
  }
  throw unreachable(options.databaseUrl, retries + 1, last);
}

function unreachable(url: string, attempts: number, cause: unknown): TenancyError {
  const { where, password } = describeUrl(url);
  let reason = cause instanceof Error ? cause.message : String(cause);
  if (password) reason = reason.split(password).join('***');
  const hint = /unsupported startup parameter/i.test(reason)
    ? ' Behind PgBouncer: ignore_startup_parameters = extra_float_digits, options (README, "Operating the connection layer").'
    : '';
  return new TenancyError(
    `Could not connect to ${optionLabel('databaseUrl')} at ${where} after ${attempts} attempt(s): ${reason}.${hint}`,
  );
}

/** `postgresql://user@host:port/db` without the password (or the SQLite path). */
function describeUrl(url: string): { where: string; password?: string } {
  try {
    const u = new URL(url);
    if (u.protocol === 'sqlite:') return { where: url };
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    const port = u.port ? `:${u.port}` : '';
    return {
      where: `${u.protocol}//${user}${u.hostname}${port}${u.pathname}`,
      password: decodeURIComponent(u.password) || undefined,
    };
  } catch {
    return { where: '(an unparsable URL)' };
  }
}
