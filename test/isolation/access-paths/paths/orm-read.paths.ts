import { In, IsNull, Not } from 'typeorm';
import { Item, Memo, Owner, TreeNode } from '../matrix.entities';
import type { AccessPath, Snapshot } from '../matrix.types';
import { aliveItems, aliveLabels, everyLabel, foreignIds, labelsOf, reads } from './path-kit';

const REPO = 'repository';
const QB = 'query builder';
const REL = 'relations';
const AR = 'active record';

const ownNames = (s: Snapshot, table: 'mx_owners' | 'mx_tags' | 'mx_nodes') => labelsOf(s[table], 'name');
const memoTexts = (s: Snapshot) => labelsOf(s.mx_memos, 'text');
/** Owner names of alive items, through `column` (owner_id / maker_id). */
const ownerNamesVia = (s: Snapshot, column: string) =>
  aliveItems(s)
    .filter((i) => i[column] != null)
    .map((i) => String(s.mx_owners.find((o) => o.id === i[column])?.name))
    .sort();
/** Tag names linked to alive items (what a join from items reaches). */
const linkedTagNames = (s: Snapshot) => {
  const alive = new Set(aliveItems(s).map((i) => i.id));
  const tagIds = new Set(s.mx_item_tags.filter((l) => alive.has(l.item_id)).map((l) => l.tag_id));
  return s.mx_tags
    .filter((t) => tagIds.has(t.id))
    .map((t) => String(t.name))
    .sort();
};
const uniq = (xs: string[]) => [...new Set(xs)].sort();

export const ORM_READ_PATHS: AccessPath[] = [
  reads(REPO, 'find()', async (e) => labelsOf(await e.items.find())),
  reads(REPO, 'findBy(Not(IsNull))', async (e) => labelsOf(await e.items.findBy({ label: Not(IsNull()) }))),
  reads(
    REPO,
    'findAndCount()',
    async (e) => {
      const [rows, n] = await e.items.findAndCount();
      return [labelsOf(rows), n];
    },
    (s) => [aliveLabels(s), aliveLabels(s).length],
  ),
  reads(
    REPO,
    'count()',
    (e) => e.items.count(),
    (s) => aliveLabels(s).length,
  ),
  reads(REPO, 'findOneBy(every tenant label)', async (e) => {
    const found: string[] = [];
    for (const label of await everyLabel(e)) {
      const row = await e.items.findOneBy({ label });
      if (row) found.push(row.label);
    }
    return found.sort();
  }),
  reads(REPO, 'existsBy(every tenant label)', async (e) => {
    const found: string[] = [];
    for (const label of await everyLabel(e)) if (await e.items.existsBy({ label })) found.push(label);
    return found.sort();
  }),
  reads(REPO, 'findBy({ id: In(every tenant id) })', async (e) => {
    const own = (await e.snapshot()).mx_items.map((r) => Number(r.id));
    return labelsOf(await e.items.findBy({ id: In([...own, ...(await foreignIds(e, 'mx_items'))]) }));
  }),
  reads(
    REPO,
    'sum() / maximum()',
    async (e) => [Number(await e.items.sum('qty')), Number(await e.items.maximum('qty'))],
    (s) => {
      const q = aliveItems(s).map((i) => Number(i.qty));
      return [q.reduce((a, b) => a + b, 0), Math.max(...q)];
    },
  ),
  reads(
    REPO,
    'find({ withDeleted: true })',
    async (e) => labelsOf(await e.items.find({ withDeleted: true })),
    (s) => labelsOf(s.mx_items),
  ),
  reads(REPO, 'repository.query() (raw)', async (e) =>
    labelsOf(await e.items.query(`SELECT label FROM ${e.table('mx_items')} WHERE deleted_at IS NULL`)),
  ),

  reads(QB, 'createQueryBuilder().getMany()', async (e) => labelsOf(await e.items.createQueryBuilder('i').getMany())),
  reads(
    QB,
    'getCount()',
    (e) => e.items.createQueryBuilder('i').getCount(),
    (s) => aliveLabels(s).length,
  ),
  reads(QB, 'DataSource.createQueryBuilder().from().getRawMany()', async (e) =>
    labelsOf(
      await e.ds
        .createQueryBuilder()
        .select('i.label', 'label')
        .from(Item, 'i')
        .where('i.deleted_at IS NULL')
        .getRawMany<{ label: string }>(),
    ),
  ),
  reads(
    QB,
    'subquery in WHERE',
    async (e) =>
      labelsOf(
        await e.items
          .createQueryBuilder('i')
          .where((qb) => `i.owner_id IN ${qb.subQuery().select('o.id').from(Owner, 'o').getQuery()}`)
          .getMany(),
      ),
    (s) => labelsOf(aliveItems(s).filter((i) => i.owner_id != null)),
  ),
  reads(
    QB,
    'stream()',
    async (e) => {
      const stream = await e.items.createQueryBuilder('i').select('i.label', 'label').stream();
      const rows: Array<Record<string, unknown>> = [];
      for await (const row of stream) rows.push(row as Record<string, unknown>);
      return labelsOf(rows);
    },
    aliveLabels,
    [
      {
        when: (w) => w.dialect === 'sqlite',
        reason: 'better-sqlite3 has no streaming in TypeORM 1.x',
        error: /Stream is not supported by sqlite driver/,
      },
    ],
  ),

  reads(
    REL,
    'eager many-to-one (find)',
    async (e) =>
      labelsOf(
        (await e.items.find()).flatMap((i) => (i.owner ? [i.owner] : [])),
        'name',
      ),
    (s) => ownerNamesVia(s, 'owner_id'),
  ),
  reads(
    REL,
    'lazy many-to-one (await item.maker)',
    async (e) => {
      const names: string[] = [];
      for (const item of await e.items.find()) {
        const maker = await item.maker;
        if (maker) names.push(maker.name);
      }
      return names.sort();
    },
    (s) => ownerNamesVia(s, 'maker_id'),
  ),
  reads(
    REL,
    'many-to-many (find relations)',
    async (e) =>
      uniq(
        labelsOf(
          (await e.items.find({ relations: { tags: true } })).flatMap((i) => i.tags),
          'name',
        ),
      ),
    linkedTagNames,
  ),
  reads(
    REL,
    'many-to-many (leftJoinAndSelect)',
    async (e) =>
      uniq(
        labelsOf(
          (await e.em.createQueryBuilder(Item, 'i').leftJoinAndSelect('i.tags', 't').getMany()).flatMap((i) => i.tags),
          'name',
        ),
      ),
    linkedTagNames,
  ),
  reads(
    REL,
    'one-to-many (owners with items)',
    async (e) => labelsOf((await e.owners.find({ relations: { items: true } })).flatMap((o) => o.items)),
    (s) => labelsOf(aliveItems(s).filter((i) => i.owner_id != null)),
  ),
  reads(
    REL,
    'RelationQueryBuilder.loadMany()',
    async (e) => {
      const names: string[] = [];
      for (const item of await e.items.find()) {
        const tags = await e.ds.createQueryBuilder().relation(Item, 'tags').of(item.id).loadMany<{ name: string }>();
        names.push(...tags.map((t) => t.name));
      }
      return uniq(names);
    },
    linkedTagNames,
  ),
  reads(
    REL,
    'RelationQueryBuilder.loadOne()',
    async (e) => {
      const names: string[] = [];
      for (const item of await e.items.find()) {
        const owner = await e.ds.createQueryBuilder().relation(Item, 'owner').of(item.id).loadOne<Owner>();
        if (owner) names.push(owner.name);
      }
      return names.sort();
    },
    (s) => ownerNamesVia(s, 'owner_id'),
  ),
  reads(
    REL,
    'tree: findTrees()',
    async (e) => {
      const flat: string[] = [];
      const walk = (n: TreeNode) => (flat.push(n.name), n.children.forEach(walk));
      (await e.em.getTreeRepository(TreeNode).findTrees()).forEach(walk);
      return flat.sort();
    },
    (s) => ownNames(s, 'mx_nodes'),
  ),
  reads(
    REL,
    'tree: findDescendants(root) / countDescendants',
    async (e) => {
      const trees = e.em.getTreeRepository(TreeNode);
      const root = await trees.findOneByOrFail({ name: e.label('root') });
      return [labelsOf(await trees.findDescendants(root), 'name'), await trees.countDescendants(root)];
    },
    (s) => [ownNames(s, 'mx_nodes'), s.mx_nodes.length],
  ),

  reads(AR, 'Memo.find()', async () => labelsOf(await Memo.find(), 'text'), memoTexts),
  reads(
    AR,
    'Memo.count()',
    () => Memo.count(),
    (s) => s.mx_memos.length,
  ),
  reads(
    AR,
    'Memo.createQueryBuilder().getMany()',
    async () => labelsOf(await Memo.createQueryBuilder('m').getMany(), 'text'),
    memoTexts,
  ),
];
