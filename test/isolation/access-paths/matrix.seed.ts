import type { Owner, Tag } from './matrix.entities';
import type { MatrixEnv, Snapshot } from './matrix.types';

/** Seeds the acting tenant (inside its scope) through the injected repositories. */
export async function seedTenant(env: MatrixEnv): Promise<void> {
  const { label } = env;
  const [o1, o2] = await env.owners.save(
    [label('owner-1'), label('owner-2')].map((name) => env.owners.create({ name })),
  );
  const [t1, t2] = await env.tags.save([label('tag-1'), label('tag-2')].map((name) => env.tags.create({ name })));
  const item = (suffix: string, qty: number, owner: Owner | null, maker: Owner | null, tags: Tag[]) =>
    // Assigning runs the lazy relation's setter (a plain object would not).
    Object.assign(env.items.create({ label: label(suffix), qty, owner, tags }), { maker });
  await env.items.save([
    item('item-1', 1, o1, o2, [t1]),
    item('item-2', 2, o2, o1, [t1, t2]),
    item('item-3', 3, null, null, []),
  ]);
  const root = await env.nodes.save(env.nodes.create({ name: label('root') }));
  const child = await env.nodes.save(env.nodes.create({ name: label('child'), parent: root }));
  await env.nodes.save(env.nodes.create({ name: label('leaf'), parent: child }));
  await env.scratch.save([label('scratch-1'), label('scratch-2')].map((l) => env.scratch.create({ label: l })));
  await env.memos.save([label('memo-1'), label('memo-2')].map((text) => env.memos.create({ text })));
}

/** What seeding must have produced for the tenant, as the admin reads it. */
export function expectSeeded(env: MatrixEnv, s: Snapshot): void {
  const { label } = env;
  const names = (rows: Array<Record<string, unknown>>, f: string) => rows.map((r) => String(r[f])).sort();
  expect({
    owners: names(s.mx_owners, 'name'),
    tags: names(s.mx_tags, 'name'),
    items: names(s.mx_items, 'label'),
    links: s.mx_item_tags.length,
    nodes: names(s.mx_nodes, 'name'),
    scratch: names(s.mx_scratch, 'label'),
    memos: names(s.mx_memos, 'text'),
    tenantIds: [
      ...new Set(Object.values(s).flatMap((rows) => rows.filter((r) => 'tenant_id' in r).map((r) => r.tenant_id))),
    ],
  }).toEqual({
    owners: [label('owner-1'), label('owner-2')],
    tags: [label('tag-1'), label('tag-2')],
    items: [label('item-1'), label('item-2'), label('item-3')],
    links: 3,
    nodes: [label('child'), label('leaf'), label('root')],
    scratch: [label('scratch-1'), label('scratch-2')],
    memos: [label('memo-1'), label('memo-2')],
    tenantIds: [env.tenant.id],
  });
}
