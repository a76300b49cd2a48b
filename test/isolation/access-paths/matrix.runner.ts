import type { Tenant, TenantIsolation } from 'nestjs-tenancy';
import { SCHEMA_PLACEHOLDER } from '../../../libs/tenancy/src/connection/shared-pool-view';
import { describeWith } from '../../support';
import { describeWithPgBouncer } from '../../support/pgbouncer';
import type { MatrixApp } from './matrix.fixture';
import { MATRIX_TABLES, type MatrixTable } from './matrix.entities';
import type { AccessPath, Dialect, MatrixEnv, Row, Snapshot } from './matrix.types';
import { seedTenant, expectSeeded } from './matrix.seed';

/** A strategy on a dialect: how to boot it and where its three tenants live. */
export interface Target {
  readonly name: string;
  readonly dialect: Dialect;
  readonly service?: 'postgres' | 'mysql' | 'pgbouncer';
  /** The strategies of tenants a, b and c (hybrid mixes them). */
  readonly strategies: readonly [TenantIsolation, TenantIsolation, TenantIsolation];
  /** Registers the hooks that boot the app and provision the tenants; returns the booted app. */
  readonly use: () => () => MatrixApp;
}

const NAMES = ['a', 'b', 'c'] as const;

/** A case still failing on main, awaiting the named fix of issue 11 (see open-cases.table.ts). */
export interface OpenCase {
  readonly target: RegExp;
  readonly path: string;
  readonly awaits: string;
}
/** `MATRIX_ALL_CASES=1` runs the open cases too (to see which a fix has closed). */
const isOpen = (open: readonly OpenCase[], target: Target, path: AccessPath) =>
  process.env.MATRIX_ALL_CASES !== '1' &&
  open.some((o) => o.target.test(target.name) && o.path === `${path.group}: ${path.name}`);

/** Every path × every target, as data: one `it` per path and acting tenant. */
export function runAccessPathMatrix(
  targets: readonly Target[],
  paths: readonly AccessPath[],
  open: readonly OpenCase[] = [],
): void {
  for (const target of targets) {
    const body = () => {
      const app = target.use();
      beforeAll(async () => {
        for (let i = 0; i < NAMES.length; i++) {
          const env = envFor(app(), target, i);
          await inScope(env, () => seedTenant(env));
        }
      });
      it('seeds each tenant with its own rows only', async () => {
        for (let i = 0; i < NAMES.length; i++)
          expectSeeded(envFor(app(), target, i), await app().snapshot(app().tenants[i]));
      });
      // Uniform targets act as the first two tenants (the last one provisioned is where "last built
      // wins" bugs land); hybrid acts as each, one per strategy.
      const acting = new Set(target.strategies).size > 1 ? NAMES.length : 2;
      for (const path of paths) {
        if (isOpen(open, target, path)) continue;
        describe(`${path.group}: ${path.name}`, () => {
          for (let i = 0; i < acting; i++) {
            it(`as tenant ${NAMES[i]} (${target.strategies[i]})`, () => exercise(app(), target, path, i));
          }
        });
      }
    };
    if (target.service === 'pgbouncer') describeWithPgBouncer(`access paths: ${target.name}`, body);
    else if (target.service) describeWith(target.service, `access paths: ${target.name}`, body);
    else describe(`access paths: ${target.name}`, body);
  }
}

async function exercise(app: MatrixApp, target: Target, path: AccessPath, i: number): Promise<void> {
  const env = envFor(app, target, i);
  const before = await snapshots(app);
  const refusal = path.notOffered?.find((n) => n.when(env.where));
  const outcome = inScope(env, () => path.run(env));
  if (refusal) {
    await expect(outcome).rejects.toThrow(refusal.error);
    expect(await snapshots(app)).toStrictEqual(before);
    return;
  }
  const observed = await outcome;
  const after = await snapshots(app);
  const writer = path.writesTo?.(env) ?? env.tenant;
  app.tenants.forEach((t, j) => {
    if (t !== writer)
      expect({ untouched: t.identifier, rows: after[j] }).toStrictEqual({ untouched: t.identifier, rows: before[j] });
    expectSelfContained(t, after[j], before[j]);
  });
  await path.check(env, observed, before[i], after[i]);
}

/**
 * Runs `fn` in the tenant's scope the way the guard does: database tenants' DataSource connected
 * first (synchronous repository members need it; the library documents this for jobs).
 */
function inScope<T>(env: MatrixEnv, fn: () => Promise<T>): Promise<T> {
  return env.context.run(env.tenant, async () => {
    await env.connections.getDataSource(env.tenant);
    return fn();
  });
}

const snapshots = (app: MatrixApp): Promise<Snapshot[]> => Promise.all(app.tenants.map((t) => app.snapshot(t)));

/**
 * Every row the path wrote (new or changed) is labelled with its own tenant (or unlabelled) and
 * references only rows of the same tenant. Rows that were already there are not re-reported, so
 * one leaking path does not fail every path after it.
 */
function expectSelfContained(tenant: Tenant, s: Snapshot, was: Snapshot): void {
  const fresh = (table: MatrixTable) => {
    const old = new Set(was[table].map((r) => JSON.stringify(r)));
    return s[table].filter((r) => !old.has(JSON.stringify(r)));
  };
  const foreignLabels = MATRIX_TABLES.flatMap((table) =>
    fresh(table)
      .filter((r) => 'tenant_id' in r && r.tenant_id != null && r.tenant_id !== tenant.id)
      .map((r) => ({ table, ...r })),
  );
  expect({ tenant: tenant.identifier, rowsLabelledWithAnotherTenant: foreignLabels }).toEqual({
    tenant: tenant.identifier,
    rowsLabelledWithAnotherTenant: [],
  });
  const ids = (rows: Row[]) => new Set(rows.map((r) => r.id));
  const [owners, tags, items, nodes] = [ids(s.mx_owners), ids(s.mx_tags), ids(s.mx_items), ids(s.mx_nodes)];
  const dangling = [
    ...fresh('mx_items').filter(
      (r) => (r.owner_id != null && !owners.has(r.owner_id)) || (r.maker_id != null && !owners.has(r.maker_id)),
    ),
    ...fresh('mx_item_tags').filter((r) => !items.has(r.item_id) || !tags.has(r.tag_id)),
    ...fresh('mx_nodes').filter((r) => r.parentId != null && !nodes.has(r.parentId)),
  ];
  expect({ tenant: tenant.identifier, referencesToAnotherTenant: dangling }).toEqual({
    tenant: tenant.identifier,
    referencesToAnotherTenant: [],
  });
}

function envFor(app: MatrixApp, target: Target, i: number): MatrixEnv {
  const tenant = app.tenants[i];
  const prefixed = target.dialect === 'sqlite' && tenant.isolationStrategy === 'schema';
  return {
    ...app.injected,
    tenant,
    tenants: app.tenants,
    others: app.tenants.filter((t) => t !== tenant),
    where: { dialect: target.dialect, strategy: tenant.isolationStrategy, target: target.name },
    label: (suffix, t = tenant) => `${t.identifier}-${suffix}`,
    table: (name) => (prefixed ? `"${SCHEMA_PLACEHOLDER}${name}"` : name),
    param: (n) => (target.dialect === 'postgres' ? `$${n}` : '?'),
    snapshot: (t = tenant) => app.snapshot(t),
    locate: (t) => app.locate(t),
  };
}
