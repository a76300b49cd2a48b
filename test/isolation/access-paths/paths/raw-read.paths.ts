import type { EntityManager } from 'typeorm';
import { Item } from '../matrix.entities';
import type { AccessPath, MatrixEnv, Snapshot } from '../matrix.types';
import { aliveLabels, attempt, labelsOf, reads } from './path-kit';

const RAW = 'raw SQL';

const selectLabels = (e: MatrixEnv) => `SELECT label FROM ${e.table('mx_items')} WHERE deleted_at IS NULL`;
const labelsVia = async (q: (sql: string) => Promise<unknown>, e: MatrixEnv) =>
  labelsOf((await q(selectLabels(e))) as Array<{ label: string }>);
const OUT_OF_REACH = 'refused or empty';
/** Refused, or no rows: both keep the registry out of reach; any row is a leak (its count is returned). */
const outOfReach = async (q: () => Promise<unknown>) => {
  const rows = await attempt(async () => (await q()) as unknown[]);
  return rows === 'refused' || rows.length === 0 ? OUT_OF_REACH : rows;
};
const linkedItemIds = (s: Snapshot) => s.mx_item_tags.map((l) => Number(l.item_id)).sort((a, b) => a - b);

export const RAW_READ_PATHS: AccessPath[] = [
  reads(RAW, 'injected DataSource.query()', (e) => labelsVia((sql) => e.ds.query(sql), e)),
  reads(RAW, 'injected EntityManager.query()', (e) => labelsVia((sql) => e.em.query(sql), e)),
  reads(RAW, 'getDataSource(tenant).query()', async (e) => {
    const ds = await e.connections.getDataSource(e.tenant);
    return labelsVia((sql) => ds.query(sql), e);
  }),
  reads(RAW, 'getEntityManager().query()', async (e) => {
    const em = await e.connections.getEntityManager();
    return labelsVia((sql) => em.query(sql), e);
  }),
  reads(RAW, 'QueryRunner.query() (ds.createQueryRunner())', async (e) => {
    const runner = e.ds.createQueryRunner();
    try {
      return await labelsVia((sql) => runner.query(sql), e);
    } finally {
      await runner.release();
    }
  }),
  reads(RAW, 'QueryRunner.manager.find()', async (e) => {
    const runner = (await e.connections.getDataSource()).createQueryRunner();
    try {
      return labelsOf(await runner.manager.find(Item));
    } finally {
      await runner.release();
    }
  }),
  reads(
    RAW,
    'raw read of the many-to-many junction',
    async (e) =>
      ((await e.ds.query(`SELECT item_id FROM ${e.table('mx_item_tags')}`)) as Array<{ item_id: number }>)
        .map((r) => Number(r.item_id))
        .sort((a, b) => a - b),
    linkedItemIds,
  ),
  reads(RAW, 'EntityManager.query() inside connections.transaction()', (e) =>
    e.connections.transaction((em) => labelsVia((sql) => em.query(sql), e)),
  ),
  reads(
    RAW,
    'concurrent raw queries inside one transaction',
    (e) =>
      e.connections.transaction(async (em: EntityManager) => {
        const all = await Promise.all([1, 2, 3, 4, 5].map(() => labelsVia((sql) => em.query(sql), e)));
        return all;
      }),
    (s) => [1, 2, 3, 4, 5].map(() => aliveLabels(s)),
  ),
  // The registry holds every tenant (and their database URLs): from tenant scope it is refused or empty.
  reads(
    RAW,
    'raw read of the tenants registry (unqualified)',
    (e) => outOfReach(() => e.ds.query('SELECT identifier FROM tenants')),
    () => OUT_OF_REACH,
  ),
  reads(
    RAW,
    'raw SQL naming a tenant table and the registry',
    (e) => outOfReach(() => e.ds.query(`SELECT t.identifier FROM ${e.table('mx_items')} i, tenants t`)),
    () => OUT_OF_REACH,
  ),
];
