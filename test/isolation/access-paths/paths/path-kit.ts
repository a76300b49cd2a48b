import type { Tenant } from 'nestjs-tenancy';
import type { MatrixTable } from '../matrix.entities';
import type { AccessPath, MatrixEnv, NotOffered, Row, Snapshot } from '../matrix.types';

/** Sorted `label` (or `field`) values. */
export const labelsOf = (rows: readonly object[], field = 'label'): string[] =>
  rows.map((r) => String((r as Record<string, unknown>)[field])).sort();

/** Items the ORM sees by default: not soft-deleted. */
export const aliveItems = (s: Snapshot): Row[] => s.mx_items.filter((r) => r.deleted_at == null);
export const aliveLabels = (s: Snapshot): string[] => labelsOf(aliveItems(s));

export const byLabel = (s: Snapshot, label: string): Row | undefined => s.mx_items.find((r) => r.label === label);
export const idOf = (s: Snapshot, table: MatrixTable, field: string, value: string): number => {
  const row = s[table].find((r) => r[field] === value);
  if (!row) throw new Error(`seed row ${table}.${field}=${value} missing`);
  return Number(row.id);
};

/** A read path: what `run` saw must be exactly what the admin sees for the acting tenant. */
export function reads(
  group: string,
  name: string,
  run: (env: MatrixEnv) => Promise<unknown>,
  expected: (after: Snapshot, env: MatrixEnv) => unknown = aliveLabels,
  notOffered?: NotOffered[],
): AccessPath {
  return {
    group,
    name,
    run,
    check: (env, observed, _before, after) => expect(observed).toEqual(expected(after, env)),
    notOffered,
  };
}

/** The rows of `table` that are new in `after` (by id). */
export const added = (before: Snapshot, after: Snapshot, table: MatrixTable): Row[] => {
  const known = new Set(before[table].map((r) => JSON.stringify(r)));
  return after[table].filter((r) => !known.has(JSON.stringify(r)));
};

/** Everything but `table` is unchanged for the acting tenant. */
export function onlyTableChanged(before: Snapshot, after: Snapshot, ...tables: MatrixTable[]): void {
  for (const t of Object.keys(before) as MatrixTable[]) {
    if (!tables.includes(t)) expect({ [t]: after[t] }).toEqual({ [t]: before[t] });
  }
}

/** One new item labelled `label`, carrying the acting tenant's id; nothing else changed. */
export function expectNewItem(env: MatrixEnv, before: Snapshot, after: Snapshot, label: string): void {
  expect(added(before, after, 'mx_items').map((r) => [r.label, r.tenant_id])).toEqual([[label, env.tenant.id]]);
  expect(after.mx_items.length).toBe(before.mx_items.length + 1);
  onlyTableChanged(before, after, 'mx_items');
}

/** The row of `table` whose `field` is `value` changed exactly by `patch`; nothing else changed. */
export function expectPatched(
  before: Snapshot,
  after: Snapshot,
  table: MatrixTable,
  field: string,
  value: string,
  patch: (row: Row) => Row,
): void {
  const was = before[table].find((r) => r[field] === value);
  if (!was) throw new Error(`${table}.${field}=${value} missing before the path ran`);
  const wanted = before[table].map((r) => (r === was ? patch({ ...r }) : r));
  expect(sortRows(after[table])).toEqual(sortRows(wanted));
  onlyTableChanged(before, after, table);
}

export const sortRows = (rows: Row[]): Row[] =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The path changed nothing for the acting tenant either (net-zero paths, reads). */
export function expectUnchanged(before: Snapshot, after: Snapshot): void {
  expect(after).toEqual(before);
}

/** Outcome of an attempt that may legitimately be refused: 'refused' or what it returned. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | 'refused'> {
  try {
    return await fn();
  } catch {
    return 'refused';
  }
}

/** Another tenant than the acting one (the next in provisioning order). */
export const nextTenant = (env: MatrixEnv): Tenant =>
  env.tenants[(env.tenants.indexOf(env.tenant) + 1) % env.tenants.length];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every live item label of every tenant (what an attacker could guess). */
export async function everyLabel(env: MatrixEnv): Promise<string[]> {
  const all: string[] = [];
  for (const t of env.tenants) all.push(...aliveLabels(await env.snapshot(t)));
  return all;
}

/** Every item id of every tenant other than the acting one. */
export async function foreignIds(env: MatrixEnv, table: MatrixTable): Promise<number[]> {
  const ids: number[] = [];
  for (const t of env.others) ids.push(...(await env.snapshot(t))[table].map((r) => Number(r.id)));
  return ids;
}
