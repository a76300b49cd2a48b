import { JwtService } from '@nestjs/jwt';
import fc from 'fast-check';
import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { JWT_SECRET } from '../../resolution/support/strategies';
import { carried, identifier } from './fuzz-inputs';

export { ACTIVE } from './fuzz-inputs';

/** A request as a resolver sees it, plus what it may resolve to. */
export interface FuzzRequest {
  readonly path: string;
  /** Header lines in order (duplicates allowed). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Must resolve to this tenant iff it is active, else 404. */
  readonly canonical?: string;
  /** Where a non-canonical request may legitimately name a tenant (it must appear there verbatim). */
  readonly evidence: (tenant: string) => boolean;
}

const never = () => false;
type Header = readonly [string, string];
const request = (
  path: string,
  headers: Header[],
  evidence: (tenant: string) => boolean,
  canonical?: string,
): FuzzRequest => ({ path, headers, evidence, canonical });
/** Tokens carry a one-minute `exp`: one without is refused (jwtRequireExp). */
const jwt = new JwtService({ secret: JWT_SECRET, signOptions: { expiresIn: 60 } });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

export interface FuzzStrategy {
  readonly options: Omit<TenancyModuleOptions, 'databaseUrl'>;
  readonly requests: fc.Arbitrary<FuzzRequest>;
}

const header: FuzzStrategy = {
  options: { resolutionStrategy: 'header' },
  requests: fc.oneof(
    carried.map((c) => request('/whoami', [['X-Tenant-ID', c.text]], (t) => c.text.trim() === t, c.canonical)),
    fc.tuple(carried, carried).map(([a, b]) =>
      request(
        '/whoami',
        [
          ['X-Tenant-ID', a.text],
          ['x-tenant-id', b.text],
        ],
        never,
      ),
    ),
    fc.tuple(carried, carried).map(([a, b]) => request('/whoami', [['X-Tenant-ID', `${a.text}, ${b.text}`]], never)),
    carried.map((c) =>
      request(
        '/whoami',
        [
          ['X-Tenant', c.text],
          ['X-Forwarded-Host', `${c.text}.example.test`],
        ],
        never,
      ),
    ),
  ),
};

/**
 * The tenant a Host value names under `example.test`: exactly one label before the suffix, after
 * trimming, lower-casing, and cutting one port and one trailing dot. `acme.example.test.evil`,
 * `x.acme.example.test` and `acme.evil-example.test` name no tenant.
 */
export const namedBySubdomain = (host: string): string | undefined => {
  const bare = host.trim().toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '');
  const label = bare.endsWith('.example.test') ? bare.slice(0, -'.example.test'.length) : '';
  return label === '' || label.includes('.') ? undefined : label;
};

const subdomain: FuzzStrategy = {
  options: { resolutionStrategy: 'subdomain', domainSuffix: 'example.test' },
  requests: fc.oneof(
    fc
      .tuple(carried, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
      .map(([c, port]) =>
        request(
          '/whoami',
          [['Host', `${c.text}.example.test${port ? `:${port}` : ''}`]],
          (t) => namedBySubdomain(`${c.text}.example.test${port ? `:${port}` : ''}`) === t,
          c.canonical,
        ),
      ),
    fc
      .tuple(
        carried,
        fc.constantFrom('EXAMPLE.TEST', 'example.test.', 'example.test.evil', 'evil-example.test', 'example.tes'),
      )
      .map(([c, suffix]) =>
        request('/whoami', [['Host', `${c.text}.${suffix}`]], (t) => namedBySubdomain(`${c.text}.${suffix}`) === t),
      ),
    // X-Forwarded-Host is not trusted (trustProxy false): it must never name the tenant
    carried.map((c) =>
      request(
        '/whoami',
        [
          ['Host', 'example.test'],
          ['X-Forwarded-Host', `${c.text}.example.test`],
        ],
        never,
      ),
    ),
    // Node keeps the first Host; a hand-built request with two is refused.
    fc.tuple(carried, carried).map(([a, b]) =>
      request(
        '/whoami',
        [
          ['Host', `${a.text}.example.test`],
          ['Host', `${b.text}.example.test`],
        ],
        (t) => namedBySubdomain(`${a.text}.example.test`) === t,
      ),
    ),
  ),
};

/** The segment a path names (the first after `/t/`, query and fragment cut): `/t/acme/x?y` → acme. */
const firstSegment = (path: string) => {
  const bare = path.split(/[?#]/, 1)[0];
  return bare.startsWith('/t/') ? bare.slice(3).split('/', 1)[0] : undefined;
};

const pathStrategy: FuzzStrategy = {
  options: { resolutionStrategy: 'path' },
  requests: fc.oneof(
    fc
      .tuple(carried, fc.constantFrom('', '?x=1', '?t=acme', '#frag'))
      .map(([c, tail]) =>
        request(`/t/${c.text}/whoami${tail}`, [], (t) => firstSegment(`/t/${c.text}/whoami${tail}`) === t, c.canonical),
      ),
    fc
      .tuple(carried, fc.constantFrom('/t/', '/T/', '//t/', '/t//', '/x/t/', '/t/acme/../', '/t/%2e%2e/'))
      .map(([c, prefix]) =>
        request(
          `${prefix}${c.text}/whoami`,
          [['X-Tenant-ID', 'acme']],
          (t) => firstSegment(`${prefix}${c.text}/whoami`) === t,
        ),
      ),
  ),
};

type Claim = { value: unknown; canonical?: string };
const claim: fc.Arbitrary<Claim> = fc.oneof(
  { weight: 4, arbitrary: carried.map((c) => ({ value: c.text, canonical: c.canonical })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.integer(),
        fc.constant(null),
        fc.boolean(),
        identifier.map((id) => [id]),
        identifier.map((id) => ({ id })),
      )
      .map((value) => ({ value })),
  },
);
const token = (payload: object, secret = JWT_SECRET, algorithm: 'HS256' | 'HS384' | 'HS512' = 'HS256') =>
  new JwtService({ secret }).sign('exp' in payload ? payload : { exp: now() + 60, ...payload }, { algorithm });
const jwtStrategy: FuzzStrategy = {
  options: { resolutionStrategy: 'jwt', jwtSecret: JWT_SECRET },
  requests: fc.oneof(
    fc
      .tuple(claim, fc.constantFrom('Bearer ', 'bearer ', 'BEARER  '))
      .map(([c, scheme]) =>
        request('/whoami', [['Authorization', `${scheme}${jwt.sign({ tenant_id: c.value })}`]], never, c.canonical),
      ),
    fc.tuple(claim, fc.nat(7)).map(([c, how]) => {
      const payload = { tenant_id: c.value };
      const bad = [
        () => token(payload, `${JWT_SECRET}-other`),
        () => token(payload, JWT_SECRET, 'HS512'),
        () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`,
        () => token({ ...payload, exp: now() - 30 }),
        () => token({ ...payload, nbf: now() + 600 }),
        () => token({ tenant_id: 'globex' }).replace(/\.[^.]+\./, `.${b64(payload)}.`),
        () => `${token(payload)}x`,
        () => new JwtService({ secret: JWT_SECRET }).sign(payload), // no exp
      ][how]();
      return request('/whoami', [['Authorization', `Bearer ${bad}`]], never);
    }),
    carried.map((c) => request('/whoami', [['Authorization', `Bearer ${c.text}`]], never)),
    // Node keeps the first Authorization of a request and drops the rest; a hand-built request
    // with both is refused. Either way only the first token may name the tenant.
    fc.tuple(claim, claim).map(([a, b]) =>
      request(
        '/whoami',
        [
          ['Authorization', `Bearer ${jwt.sign({ tenant_id: a.value })}`],
          ['Authorization', `Bearer ${jwt.sign({ tenant_id: b.value })}`],
        ],
        (t) => a.canonical === t,
      ),
    ),
    fc.string({ unit: 'binary', maxLength: 80 }).map((s) => request('/whoami', [['Authorization', s]], never)),
  ),
};

export const FUZZ_STRATEGIES: Array<[string, FuzzStrategy]> = [
  ['header', header],
  ['subdomain', subdomain],
  ['path', pathStrategy],
  ['jwt', jwtStrategy],
];
