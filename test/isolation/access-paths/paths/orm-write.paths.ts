import { Item, Scratch } from '../matrix.entities';
import type { AccessPath, MatrixEnv, Row, Snapshot } from '../matrix.types';
import {
  added,
  byLabel,
  expectNewItem,
  expectPatched,
  expectUnchanged,
  idOf,
  labelsOf,
  onlyTableChanged,
} from './path-kit';

const REPO = 'repository';
const QB = 'query builder';

type Check = AccessPath['check'];
const path = (group: string, name: string, run: (e: MatrixEnv) => Promise<unknown>, check: Check): AccessPath => ({
  group,
  name,
  run,
  check,
});
const newItem =
  (suffix: string): Check =>
  (e, _o, b, a) =>
    expectNewItem(e, b, a, e.label(suffix));
const patchedItem =
  (suffix: string, patch: (r: Row) => Row): Check =>
  (e, _o, b, a) =>
    expectPatched(b, a, 'mx_items', 'label', e.label(suffix), patch);
/** Net-zero paths: the intermediate row was seen in the acting tenant (not elsewhere), then nothing changed. */
const unchangedAfterSeeing: Check = (_e, observed, b, a) => {
  expect({ seenMidway: observed }).toEqual({ seenMidway: true });
  expectUnchanged(b, a);
};
const seen = async (e: MatrixEnv, suffix: string) => !!byLabel(await e.snapshot(), e.label(suffix));
const scratchOnly = (e: MatrixEnv, b: Snapshot, a: Snapshot, labels: string[]) => {
  expect(labelsOf(a.mx_scratch)).toEqual(labels.sort());
  expect(a.mx_scratch.every((r) => r.tenant_id === e.tenant.id)).toBe(true);
  onlyTableChanged(b, a, 'mx_scratch');
};

export const ORM_WRITE_PATHS: AccessPath[] = [
  path(
    REPO,
    'save()',
    (e) => e.items.save(e.items.create({ label: e.label('new-save'), qty: 4 })),
    newItem('new-save'),
  ),
  path(REPO, 'insert()', (e) => e.items.insert({ label: e.label('new-insert'), qty: 4 }), newItem('new-insert')),
  path(
    REPO,
    'update(criteria)',
    (e) => e.items.update({ label: e.label('item-1') }, { qty: 11 }),
    patchedItem('item-1', (r) => ({ ...r, qty: 11 })),
  ),
  path(
    REPO,
    'increment() + decrement()',
    async (e) => {
      await e.items.increment({ label: e.label('item-2') }, 'qty', 5);
      await e.items.decrement({ label: e.label('item-2') }, 'qty', 2);
    },
    patchedItem('item-2', (r) => ({ ...r, qty: Number(r.qty) + 3 })),
  ),
  path(
    REPO,
    'upsert() on (tenant_id, label)',
    (e) => e.items.upsert({ label: e.label('item-1'), qty: 21 }, ['tenantId', 'label']),
    patchedItem('item-1', (r) => ({ ...r, qty: 21 })),
  ),
  path(
    REPO,
    'preload() + save()',
    async (e) => {
      const id = idOf(await e.snapshot(), 'mx_items', 'label', e.label('item-2'));
      const item = await e.items.preload({ id, qty: 31 });
      if (!item) throw new Error('preload found nothing');
      await e.items.save(item);
    },
    patchedItem('item-2', (r) => ({ ...r, qty: 31 })),
  ),
  path(
    REPO,
    'softDelete()',
    (e) => e.items.softDelete({ label: e.label('item-3') }),
    (e, _o, b, a) => {
      expect(byLabel(a, e.label('item-3'))?.deleted_at).not.toBeNull();
      expectPatched(b, a, 'mx_items', 'label', e.label('item-3'), (r) => ({
        ...r,
        deleted_at: byLabel(a, e.label('item-3'))?.deleted_at,
      }));
    },
  ),
  path(
    REPO,
    'restore()',
    (e) => e.items.restore({ label: e.label('item-3') }),
    patchedItem('item-3', (r) => ({ ...r, deleted_at: null })),
  ),
  path(
    REPO,
    'softRemove() + recover()',
    async (e) => {
      const item = await e.items.findOneByOrFail({ label: e.label('item-3') });
      const removed = await e.items.softRemove(item);
      const mid = byLabel(await e.snapshot(), e.label('item-3'))?.deleted_at != null;
      await e.items.recover(removed);
      return mid;
    },
    unchangedAfterSeeing,
  ),
  path(
    REPO,
    'save() then delete(criteria)',
    async (e) => {
      await e.items.save(e.items.create({ label: e.label('doomed-delete') }));
      const mid = await seen(e, 'doomed-delete');
      await e.items.delete({ label: e.label('doomed-delete') });
      return mid;
    },
    unchangedAfterSeeing,
  ),
  path(
    REPO,
    'save() then remove(entity)',
    async (e) => {
      const item = await e.items.save(e.items.create({ label: e.label('doomed-remove') }));
      const mid = await seen(e, 'doomed-remove');
      await e.items.remove(item);
      return mid;
    },
    unchangedAfterSeeing,
  ),
  path(
    REPO,
    'save() with many-to-many and relations',
    async (e) => {
      const item = await e.items.findOneOrFail({ where: { label: e.label('item-3') }, relations: { tags: true } });
      item.tags = [await e.tags.findOneByOrFail({ name: e.label('tag-2') })];
      item.owner = await e.owners.findOneByOrFail({ name: e.label('owner-1') });
      await e.items.save(item);
    },
    (e, _o, b, a) => {
      const item = byLabel(a, e.label('item-3'));
      expect(item?.owner_id).toBe(idOf(a, 'mx_owners', 'name', e.label('owner-1')));
      const links = a.mx_item_tags.filter((l) => l.item_id === item?.id).map((l) => l.tag_id);
      expect(links).toEqual([idOf(a, 'mx_tags', 'name', e.label('tag-2'))]);
      onlyTableChanged(b, a, 'mx_items', 'mx_item_tags');
    },
  ),
  path(
    REPO,
    'tree: save() a child',
    async (e) => {
      const parent = await e.nodes.findOneByOrFail({ name: e.label('leaf') });
      await e.nodes.save(e.nodes.create({ name: e.label('twig'), parent }));
    },
    (e, _o, b, a) => {
      const [twig] = added(b, a, 'mx_nodes');
      expect([twig?.name, twig?.parentId, twig?.tenant_id]).toEqual([
        e.label('twig'),
        idOf(a, 'mx_nodes', 'name', e.label('leaf')),
        e.tenant.id,
      ]);
      expect(String(twig?.mpath)).toContain(`${String(idOf(a, 'mx_nodes', 'name', e.label('root')))}.`);
      onlyTableChanged(b, a, 'mx_nodes');
    },
  ),

  path(
    QB,
    'insert().into().values()',
    (e) =>
      e.em
        .createQueryBuilder()
        .insert()
        .into(Item)
        .values({ label: e.label('new-qb'), qty: 4 })
        .execute(),
    newItem('new-qb'),
  ),
  path(
    QB,
    'update().set().where()',
    (e) =>
      e.items
        .createQueryBuilder()
        .update()
        .set({ qty: 7 })
        .where('label = :l', { l: e.label('item-3') })
        .execute(),
    patchedItem('item-3', (r) => ({ ...r, qty: 7 })),
  ),
  path(
    QB,
    'update() without WHERE',
    (e) =>
      e.ds
        .createQueryBuilder()
        .update(Scratch)
        .set({ label: e.label('scratch-all') })
        .execute(),
    (e, _o, b, a) =>
      scratchOnly(
        e,
        b,
        a,
        b.mx_scratch.map(() => e.label('scratch-all')),
      ),
  ),
  path(
    QB,
    'insert then delete().where()',
    async (e) => {
      await e.em
        .createQueryBuilder()
        .insert()
        .into(Item)
        .values({ label: e.label('doomed-qb') })
        .execute();
      const mid = await seen(e, 'doomed-qb');
      await e.em
        .createQueryBuilder()
        .delete()
        .from(Item)
        .where('label = :l', { l: e.label('doomed-qb') })
        .execute();
      return mid;
    },
    unchangedAfterSeeing,
  ),
];
