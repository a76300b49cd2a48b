import { Item, Memo } from '../matrix.entities';
import type { AccessPath, MatrixEnv } from '../matrix.types';
import { added, byLabel, expectPatched, expectUnchanged, idOf, labelsOf, onlyTableChanged } from './path-kit';

const AR = 'active record';

type Check = AccessPath['check'];
const path = (group: string, name: string, run: (e: MatrixEnv) => Promise<unknown>, check: Check): AccessPath => ({
  group,
  name,
  run,
  check,
});
/** Net-zero paths: the intermediate row was seen in the acting tenant (not elsewhere), then nothing changed. */
const unchangedAfterSeeing: Check = (_e, observed, b, a) => {
  expect({ seenMidway: observed }).toEqual({ seenMidway: true });
  expectUnchanged(b, a);
};

export const RELATION_AND_ACTIVE_RECORD_WRITE_PATHS: AccessPath[] = [
  path(
    'relation query builder',
    'add() / remove() / set() / set(null)',
    async (e) => {
      const s = await e.snapshot();
      const item = idOf(s, 'mx_items', 'label', e.label('item-1'));
      const rel = () => e.ds.createQueryBuilder().relation(Item, 'tags').of(item);
      await rel().add(idOf(s, 'mx_tags', 'name', e.label('tag-2')));
      await rel().remove(idOf(s, 'mx_tags', 'name', e.label('tag-1')));
      const owner = () => e.ds.createQueryBuilder().relation(Item, 'owner').of(item);
      await owner().set(null);
      await owner().set(idOf(s, 'mx_owners', 'name', e.label('owner-2')));
    },
    (e, _o, b, a) => {
      const item = byLabel(b, e.label('item-1'));
      const tag = (n: string) => idOf(b, 'mx_tags', 'name', e.label(n));
      const links = a.mx_item_tags.filter((l) => l.item_id === item?.id).map((l) => l.tag_id);
      expect(links).toEqual([tag('tag-2')]);
      expect(byLabel(a, e.label('item-1'))?.owner_id).toBe(idOf(b, 'mx_owners', 'name', e.label('owner-2')));
      onlyTableChanged(b, a, 'mx_items', 'mx_item_tags');
    },
  ),

  path(
    AR,
    'Memo.create().save()',
    (e) => Memo.create({ text: e.label('memo-ar') }).save(),
    (e, _o, b, a) => {
      expect(added(b, a, 'mx_memos').map((r) => [r.text, r.tenant_id])).toEqual([[e.label('memo-ar'), e.tenant.id]]);
      onlyTableChanged(b, a, 'mx_memos');
    },
  ),
  path(
    AR,
    'Memo.findOneBy() + memo.save()',
    async (e) => {
      const memo = await Memo.findOneByOrFail({ text: e.label('memo-1') });
      memo.text = e.label('memo-1b');
      await memo.save();
    },
    (e, _o, b, a) =>
      expectPatched(b, a, 'mx_memos', 'text', e.label('memo-1'), (r) => ({ ...r, text: e.label('memo-1b') })),
  ),
  path(
    AR,
    'Memo.insert() + Memo.update() + Memo.delete()',
    async (e) => {
      await Memo.insert({ text: e.label('memo-tmp') });
      await Memo.update({ text: e.label('memo-tmp') }, { text: e.label('memo-tmp2') });
      const mid = labelsOf((await e.snapshot()).mx_memos, 'text').includes(e.label('memo-tmp2'));
      await Memo.delete({ text: e.label('memo-tmp2') });
      return mid;
    },
    unchangedAfterSeeing,
  ),
];
