import type { QueryRunner } from 'typeorm';
import type { ScopeMode } from '../config/tenancy-options.interface';
import {
  SCHEMA_PLACEHOLDER,
  type PgClient,
  type StatementKind,
  type ViewBinding,
} from '../connection/shared-pool-view';
import { TenantScopeViolationError } from '../errors/tenant-scope-violation.error';
import {
  RESET_SEARCH_PATH,
  SESSION_RESET,
  SET_SEARCH_PATH,
  SET_SEARCH_PATH_LOCAL,
  rawScopeCheck,
  clientOf,
} from './pg-session-scope';

const QUOTED_PLACEHOLDER = `"${SCHEMA_PLACEHOLDER}"`;
// After these a setting made in the transaction (session mode: since a savepoint) may be undone.
const UNDOES_SESSION_SET = /\b(?:ROLLBACK|ABORT)\b/i;
const ENDS_LOCAL_SET = /\b(?:ROLLBACK|ABORT|COMMIT|END|PREPARE\s+TRANSACTION)\b/i;

/**
 * Schema-per-tenant on the shared pool. TypeORM's SQL names the placeholder schema and is
 * rewritten to the tenant's: zero extra statements. Raw SQL (not naming the placeholder) on any
 * runner of the view runs with `search_path` set to the tenant schema only (the pool's default is
 * empty, so a missing table errors instead of reaching `public`): session mode sets it once per
 * checkout and resets it on release; transaction mode sets it transaction-locally.
 * @param schemaPrefix other tenants' schemas (`"<prefix>…".`) are refused by the scoping check.
 */
export function pgSchemaBinding(schema: string, scopeMode: ScopeMode, schemaPrefix: string): ViewBinding {
  const quoted = `"${schema}"`;
  const scope = scopeMode === 'transaction' ? new LocalScope(quoted) : new SessionScope(quoted);
  return {
    rewrite: (sql) => (sql.includes(QUOTED_PLACEHOLDER) ? sql.replaceAll(QUOTED_PLACEHOLDER, quoted) : sql),
    check: schemaCheck(quoted, schemaPrefix),
    checkOrm: noPlaceholderLeft,
    sessionReset: SESSION_RESET,
    wrapQuery: (runner, run, sql, params, kind) =>
      kind === 'orm' && sql.includes(QUOTED_PLACEHOLDER)
        ? run(sql, params)
        : scope.run(runner, sql, kind ?? 'raw', () => run(sql, params)),
    // Synchronous when the connection was never scoped (every ORM query): it goes straight back.
    onRelease: (client, cleaned) => scope.release(client, cleaned),
  };
}

abstract class RawScope {
  /** The connection's search_path is the tenant's now (as far as the binding knows). */
  protected readonly believed = new WeakSet<PgClient>();
  constructor(protected readonly quoted: string) {}

  async run<T>(runner: QueryRunner, sql: string, kind: StatementKind, work: () => Promise<T>): Promise<T> {
    const client = await clientOf(runner);
    if (kind === 'control' || sql.includes(QUOTED_PLACEHOLDER)) return this.after(client, sql, work);
    try {
      return await this.scoped(client, () => this.after(client, sql, work));
    } finally {
      // Raw SQL may have changed search_path in a way no text check sees (a string run by EXECUTE
      // in a DO block): the next raw statement sets it again. TypeORM's qualified SQL never needs it.
      this.believed.delete(client);
    }
  }

  abstract release(client: PgClient, cleaned: boolean): Promise<void> | void;
  protected abstract scoped<T>(client: PgClient, work: () => Promise<T>): Promise<T>;
  protected abstract undoes(sql: string): boolean;

  private async after<T>(client: PgClient, sql: string, work: () => Promise<T>): Promise<T> {
    if (!this.undoes(sql)) return work();
    this.believed.delete(client); // before too: if the statement fails, the state is unknown
    try {
      return await work();
    } finally {
      this.believed.delete(client);
    }
  }
}

/** Session mode: `believed` and `persisted` apart, as a rollback undoes a set without undoing the need to reset. */
class SessionScope extends RawScope {
  private readonly persisted = new WeakSet<PgClient>();

  protected async scoped<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
    // In a failed transaction the set would fail too: let the statement report the real error.
    if (!this.believed.has(client) && client.getTransactionStatus?.() !== 'E') {
      this.persisted.add(client);
      await client.query(SET_SEARCH_PATH, [this.quoted]);
      this.believed.add(client);
    }
    return work();
  }

  protected undoes(sql: string): boolean {
    return UNDOES_SESSION_SET.test(sql);
  }

  release(client: PgClient, cleaned: boolean): Promise<void> | void {
    this.believed.delete(client);
    if (!this.persisted.delete(client) || cleaned) return;
    return client.query(RESET_SEARCH_PATH).then(() => undefined);
  }
}

/** Transaction mode: `set_config(…, true)` inside the open transaction, or a transaction of its own. */
class LocalScope extends RawScope {
  protected async scoped<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
    const status = client.getTransactionStatus?.();
    if (status === 'E') return work();
    if (status === 'T') {
      if (!this.believed.has(client)) {
        await client.query(SET_SEARCH_PATH_LOCAL, [this.quoted]);
        this.believed.add(client);
      }
      return work();
    }
    await client.query('BEGIN');
    try {
      await client.query(SET_SEARCH_PATH_LOCAL, [this.quoted]);
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  protected undoes(sql: string): boolean {
    return ENDS_LOCAL_SET.test(sql);
  }

  release(client: PgClient): void {
    this.believed.delete(client);
  }
}

/**
 * The schema half of the scoping check: after rewriting, no placeholder is left (TypeORM's SQL
 * names no other schema: its tables carry the placeholder). Raw SQL names no schema but the
 * tenant's (and the system catalogs) where a relation or a function is: not another tenant's, not
 * `public` (the tenants registry), not any other (`FROM t_beta.orders`, `FROM orders o,
 * public.tenants t`, `JOIN "t_beta".x`, ...), nor changes the connection's scope. Column
 * qualifiers (`"mx_tags"."id"`, `o.label`) are not schemas and pass.
 */
function schemaCheck(quoted: string, prefix: string): (sql: string, kind: StatementKind) => void {
  const own = quoted.slice(1, -1);
  const raw = rawScopeCheck([own, SCHEMA_PLACEHOLDER], prefix, true, (schema) =>
    violation(`names the schema ${schema}, not this tenant's ${quoted}`),
  );
  return (sql, kind) => {
    noPlaceholderLeft(sql);
    if (kind === 'raw') raw(sql);
  };
}

/** After rewriting, TypeORM's SQL names only the tenant's schema: a placeholder left is refused. */
function noPlaceholderLeft(sql: string): void {
  if (sql.includes(SCHEMA_PLACEHOLDER)) {
    throw violation(
      `names the placeholder schema ${SCHEMA_PLACEHOLDER} unquoted (write "${SCHEMA_PLACEHOLDER}".table)`,
    );
  }
}

function violation(what: string): TenantScopeViolationError {
  return new TenantScopeViolationError(
    `Refused a statement through a schema-mode tenant DataSource: it ${what}. A tenant view only ` +
      'reaches its own schema: qualify tables with it or with "__tenancy_schema__", or leave them unqualified.',
  );
}

/** Every checkout runs with `search_path` = `schema` only, reset on release (migrations, DDL). */
export function pgSearchPathBinding(schema: string): ViewBinding {
  const quoted = `"${schema}"`;
  return {
    onCheckout: async (client) => {
      await client.query(SET_SEARCH_PATH, [quoted]);
    },
    onRelease: async (client) => {
      await client.query(RESET_SEARCH_PATH);
    },
  };
}
