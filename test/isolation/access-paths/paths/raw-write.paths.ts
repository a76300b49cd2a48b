import { In } from 'typeorm';
import { Item, Scratch } from '../matrix.entities';
import type { AccessPath, MatrixEnv } from '../matrix.types';
import { attempt, byLabel, foreignIds, idOf, labelsOf, nextTenant, onlyTableChanged } from './path-kit';

const RAW = 'raw SQL writes';
const FOREIGN = "another tenant's ids and handles";

type Check = AccessPath['check'];
const path = (group: string, name: string, run: (e: MatrixEnv) => Promise<unknown>, check: Check): AccessPath => ({
  group,
  name,
  run,
  check,
});
const insertScratch = (e: MatrixEnv, label: string) => ({
  sql: `INSERT INTO ${e.table('mx_scratch')} (label, tenant_id) VALUES (${e.param(1)}, ${e.param(2)})`,
  params: [label, e.tenant.id],
});
/** Whatever the attempt did, the runner's invariants (others unchanged, references closed) are the check. */
const invariantsOnly: Check = () => undefined;

export const RAW_WRITE_PATHS: AccessPath[] = [
  path(
    RAW,
    'DataSource.query() INSERT + EntityManager.query() UPDATE + QueryRunner DELETE',
    async (e) => {
      const ins = insertScratch(e, e.label('raw-1'));
      await e.ds.query(ins.sql, ins.params);
      const ins2 = insertScratch(e, e.label('raw-2'));
      await e.ds.query(ins2.sql, ins2.params);
      await e.em.query(`UPDATE ${e.table('mx_scratch')} SET label = ${e.param(1)} WHERE label = ${e.param(2)}`, [
        e.label('raw-1b'),
        e.label('raw-1'),
      ]);
      const runner = e.ds.createQueryRunner();
      try {
        await runner.manager.query(`DELETE FROM ${e.table('mx_scratch')} WHERE label = ${e.param(1)}`, [
          e.label('raw-2'),
        ]);
      } finally {
        await runner.release();
      }
    },
    (e, _o, b, a) => {
      expect(labelsOf(a.mx_scratch)).toEqual([...labelsOf(b.mx_scratch), e.label('raw-1b')].sort());
      onlyTableChanged(b, a, 'mx_scratch');
    },
  ),
  path(
    'repository',
    'clear()',
    (e) => e.scratch.clear(),
    (_e, _o, b, a) => {
      expect(a.mx_scratch).toEqual([]);
      onlyTableChanged(b, a, 'mx_scratch');
    },
  ),
  path(
    'query builder',
    'delete() without WHERE',
    async (e) => {
      await e.scratch.insert([{ label: e.label('s-1') }, { label: e.label('s-2') }]);
      await e.em.createQueryBuilder().delete().from(Scratch).execute();
    },
    (_e, _o, b, a) => {
      expect(a.mx_scratch).toEqual([]);
      onlyTableChanged(b, a, 'mx_scratch');
    },
  ),

  path(
    FOREIGN,
    'update/delete by every foreign id',
    async (e) => {
      await attempt(async () => e.scratch.delete({ id: In(await foreignIds(e, 'mx_scratch')) }));
      await attempt(async () => e.items.update({ id: In(await foreignIds(e, 'mx_items')) }, { qty: 99 }));
    },
    invariantsOnly,
  ),
  path(
    FOREIGN,
    'many-to-one pointing at a foreign owner',
    async (e) => {
      for (const id of await foreignIds(e, 'mx_owners'))
        await attempt(() => e.items.save({ label: e.label(`fk-${id}`), owner: { id } as never }));
    },
    invariantsOnly,
  ),
  path(
    FOREIGN,
    'relation add() of a foreign tag / onto a foreign item',
    async (e) => {
      const own = await e.snapshot();
      const item = idOf(own, 'mx_items', 'label', e.label('item-2'));
      const tag = idOf(own, 'mx_tags', 'name', e.label('tag-1'));
      for (const id of await foreignIds(e, 'mx_tags'))
        await attempt(() => e.ds.createQueryBuilder().relation(Item, 'tags').of(item).add(id));
      for (const id of await foreignIds(e, 'mx_items'))
        await attempt(() => e.ds.createQueryBuilder().relation(Item, 'tags').of(id).add(tag));
    },
    invariantsOnly,
  ),
  {
    group: FOREIGN,
    name: "write through another tenant's DataSource from this tenant's scope",
    writesTo: nextTenant,
    run: async (e) => {
      const theirs = await e.connections.getDataSource(nextTenant(e));
      await theirs.getRepository(Item).save(theirs.getRepository(Item).create({ label: e.label('via-other') }));
    },
    check: async (e) => {
      const other = nextTenant(e);
      const row = byLabel(await e.snapshot(other), e.label('via-other'));
      expect([row?.label, row?.tenant_id]).toEqual([e.label('via-other'), other.id]);
    },
  },
];
