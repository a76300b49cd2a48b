import { tag, type SoakTenant } from './soak-app';

/** What one request of the soak does. */
export type Kind = 'read' | 'fail' | 'abort' | 'upsert';

/** A read route and how its body must look for `t`. */
export interface ReadRoute {
  readonly path: (t: SoakTenant) => string;
  readonly expected: (t: SoakTenant) => unknown;
  readonly actual: (body: unknown) => unknown;
}

type Row = { label: string; customer?: { email: string } | null };
const labels = (body: unknown) => (body as Row[]).map((o) => o.label);

/** Every access path of the orders fixture: repository, query builder, raw SQL, joins, by id, count. */
export const READS: ReadRoute[] = [
  { path: () => '/orders', expected: (t) => t.labels, actual: labels },
  { path: () => '/orders/qb', expected: (t) => t.labels, actual: labels },
  { path: () => '/orders/raw', expected: (t) => t.labels, actual: labels },
  { path: () => '/orders/raw-manager', expected: (t) => t.labels, actual: labels },
  {
    path: () => '/orders/join',
    expected: (t) => [
      [t.labels[0], t.email],
      [t.labels[1], null],
    ],
    actual: (b) => (b as Row[]).map((o) => [o.label, o.customer?.email ?? null]),
  },
  {
    path: () => '/orders/join-builder',
    expected: (t) => [[t.email, [t.labels[0]]]],
    actual: (b) => (b as Array<{ email: string; orders: Row[] }>).map((c) => [c.email, labels(c.orders)]),
  },
  {
    path: () => '/orders/whoami',
    expected: (t) => t.identifier,
    actual: (b) => (b as { identifier: string }).identifier,
  },
  {
    path: (t) => `/orders/${t.orderIds[1]}`,
    expected: (t) => t.labels[1],
    actual: (b) => (b as { order: Row | null }).order?.label,
  },
  { path: () => '/soak/count', expected: () => 2, actual: (b) => (b as { count: number }).count },
];

/** The HTTP request for a kind of work (`abort` goes to the slow route on its own connection). */
export function requestFor(
  kind: Kind,
  t: SoakTenant,
  route: ReadRoute,
): { method: string; path: string; body?: object } {
  if (kind === 'fail') return { method: 'POST', path: '/orders/fail', body: { label: `${tag(t.identifier)}#fail` } };
  if (kind === 'upsert') return { method: 'POST', path: '/orders/upsert-customer', body: { email: t.email } };
  if (kind === 'abort') return { method: 'GET', path: '/soak/slow' };
  return { method: 'GET', path: route.path(t) };
}

/** How a response is judged. */
export type Verdict = 'ok' | 'failed-as-asked' | 'crossed' | 'wrong' | 'tolerated';

/**
 * Judges one response for tenant `t`: any marker of another tenant anywhere in the body is a
 * crossing, whatever the status; then the status and the exact content.
 */
export function judge(
  kind: Kind,
  t: SoakTenant,
  route: ReadRoute,
  res: { status: number; text: string },
  tolerate: ReadonlySet<number>,
): { verdict: Verdict; why?: string } {
  const foreign = [...res.text.matchAll(/\[([a-z0-9-]+)\]/g)].map((m) => m[1]).filter((id) => id !== t.identifier);
  if (foreign.length > 0) return { verdict: 'crossed', why: `saw ${[...new Set(foreign)].join(',')}` };
  const expectedStatus = kind === 'fail' ? 500 : kind === 'upsert' ? 201 : 200;
  if (res.status !== expectedStatus) {
    if (tolerate.has(res.status)) return { verdict: 'tolerated' };
    return { verdict: 'wrong', why: `status ${res.status} ${res.text.slice(0, 200)}` };
  }
  if (kind === 'fail') return { verdict: 'failed-as-asked' };
  const body: unknown = JSON.parse(res.text);
  const actual = kind === 'upsert' ? (body as Array<{ email: string }>).map((c) => c.email) : route.actual(body);
  const expected = kind === 'upsert' ? [t.email] : route.expected(t);
  if (JSON.stringify(actual) === JSON.stringify(expected)) return { verdict: 'ok' };
  return { verdict: 'wrong', why: `${JSON.stringify(actual).slice(0, 200)} != ${JSON.stringify(expected)}` };
}

/** A small deterministic PRNG (mulberry32): the same seed replays the same request mix. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
