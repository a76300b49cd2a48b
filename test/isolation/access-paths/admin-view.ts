import Database from 'better-sqlite3';
import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';
import type { Tenant } from 'nestjs-tenancy';
import { MATRIX_TABLES, type MatrixTable } from './matrix.entities';
import type { Row, Snapshot } from './matrix.types';

/** Where one tenant's rows physically are, read with the admin's own connection, never the library's. */
export type Location =
  | { readonly kind: 'pg-schema'; readonly url: string; readonly schema: string }
  | { readonly kind: 'pg-rls'; readonly url: string }
  | { readonly kind: 'pg-database'; readonly url: string }
  | { readonly kind: 'mysql'; readonly url: string; readonly database: string }
  | { readonly kind: 'sqlite'; readonly file: string; readonly prefix: string };

const JUNCTION: MatrixTable = 'mx_item_tags';

/**
 * Reads tenants' rows as the superuser (PostgreSQL: bypassing RLS), sorted, values normalised:
 * one round trip per tenant (the matrix snapshots every tenant before and after every path).
 */
export class AdminView {
  private readonly pg = new Map<string, Promise<Client>>();
  private readonly sqlite = new Map<string, Database.Database>();
  private mysql?: Promise<Connection>;

  constructor(private readonly locate: (tenant: Tenant) => Location) {}

  async snapshot(tenant: Tenant): Promise<Snapshot> {
    const tables = await this.read(this.locate(tenant), tenant);
    const out = {} as Snapshot;
    MATRIX_TABLES.forEach((table, i) => (out[table] = normalise(tables[i])));
    return out;
  }

  async close(): Promise<void> {
    for (const c of this.pg.values()) await (await c).end();
    for (const db of this.sqlite.values()) db.close();
    if (this.mysql) await (await this.mysql).end();
  }

  private async read(where: Location, tenant: Tenant): Promise<Row[][]> {
    switch (where.kind) {
      case 'pg-schema':
        return this.pgTables(where.url, (t) => `"${where.schema}"."${t}"`);
      case 'pg-database':
        return this.pgTables(where.url, (t) => `public."${t}"`);
      case 'pg-rls':
        // The junction is attributed through its item: a link to another tenant's item shows up there.
        return this.pgTables(
          where.url,
          (t) => `public."${t}"`,
          (t) =>
            t === JUNCTION
              ? 'WHERE item_id IN (SELECT id FROM public.mx_items WHERE tenant_id = $1)'
              : 'WHERE tenant_id = $1',
          [tenant.id],
        );
      case 'mysql': {
        const conn = await (this.mysql ??= createConnection({ uri: where.url, multipleStatements: true }));
        const sql = MATRIX_TABLES.map((t) => `SELECT * FROM \`${where.database}\`.\`${t}\``).join('; ');
        return (await conn.query(sql))[0] as unknown as Row[][];
      }
      case 'sqlite': {
        let db = this.sqlite.get(where.file);
        if (!db) this.sqlite.set(where.file, (db = new Database(where.file, { readonly: true, fileMustExist: true })));
        const open = db;
        return MATRIX_TABLES.map((t) => open.prepare(`SELECT * FROM "${where.prefix}${t}"`).all() as Row[]);
      }
    }
  }

  /** Every table in one statement: a JSON array per table. */
  private async pgTables(
    url: string,
    from: (table: MatrixTable) => string,
    filter: (table: MatrixTable) => string = () => '',
    params: unknown[] = [],
  ): Promise<Row[][]> {
    let client = this.pg.get(url);
    if (!client) {
      const c = new Client({ connectionString: url });
      client = c.connect().then(() => c);
      this.pg.set(url, client);
    }
    const columns = MATRIX_TABLES.map(
      (t, i) => `(SELECT coalesce(json_agg(r), '[]'::json) FROM ${from(t)} r ${filter(t)}) AS t${i}`,
    );
    const [row] = (await (await client).query(`SELECT ${columns.join(', ')}`, params)).rows as Array<
      Record<string, Row[]>
    >;
    return MATRIX_TABLES.map((_, i) => row[`t${i}`]);
  }
}

function normalise(rows: Row[]): Row[] {
  const plain = rows.map((r) =>
    Object.fromEntries(
      Object.entries(r)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? String(v) : v]),
    ),
  );
  return plain.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
