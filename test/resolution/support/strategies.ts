import { JwtService } from '@nestjs/jwt';
import type { TenancyModuleOptions } from '../../../libs/tenancy/src/config/tenancy-options.interface';
import type { RejectionReason } from '../../../libs/tenancy/src/resolution/rejection-reason';

export const JWT_SECRET = 'e2e-secret-that-is-at-least-32-characters-long';
const jwt = new JwtService({ secret: JWT_SECRET });
const now = () => Math.floor(Date.now() / 1000);

/** Where a request goes and what it carries. */
export interface Probe {
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The attacker-controlled text, which must never come back. */
  readonly input?: string;
}

/** How one resolution strategy carries an identifier, and how it fails. */
export interface Strategy {
  readonly options: Omit<TenancyModuleOptions, 'databaseUrl'>;
  /** A request for `route` (`whoami`, `echo`, `health`, `optional`) carrying `identifier`. */
  carry(identifier: string, route?: string): Probe;
  /** A request carrying nothing. */
  bare(route?: string): Probe;
  /** Failures particular to this strategy. */
  readonly extraFailures: Array<[string, RejectionReason, Probe]>;
}

/** A signed token with a one-minute `exp` unless the payload sets one (a token without is refused). */
const token = (payload: object) => jwt.sign('exp' in payload ? payload : { exp: now() + 60, ...payload });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (value: string, input = value): Probe => ({
  path: '/whoami',
  headers: { Authorization: `Bearer ${value}` },
  input,
});

export const STRATEGIES: Array<[string, Strategy]> = [
  [
    'header',
    {
      options: { resolutionStrategy: 'header' },
      carry: (id, route = 'whoami') => ({ path: `/${route}`, headers: { 'X-Tenant-ID': id }, input: id }),
      bare: (route = 'whoami') => ({ path: `/${route}`, headers: {} }),
      extraFailures: [
        ['a blank header', 'missing', { path: '/whoami', headers: { 'X-Tenant-ID': '   ' } }],
        [
          'an upper-case identifier',
          'malformed',
          { path: '/whoami', headers: { 'X-Tenant-ID': 'ACME' }, input: 'ACME' },
        ],
      ],
    },
  ],
  [
    'subdomain',
    {
      options: { resolutionStrategy: 'subdomain', domainSuffix: 'example.test' },
      carry: (id, route = 'whoami') => ({ path: `/${route}`, headers: { Host: `${id}.example.test:8080` }, input: id }),
      bare: (route = 'whoami') => ({ path: `/${route}`, headers: { Host: 'example.test' } }),
      extraFailures: [
        ['two labels', 'malformed', { path: '/whoami', headers: { Host: 'www.acme.example.test' }, input: 'www.acme' }],
        // Host names are case-insensitive: EVIL-CORP.example.test is evil-corp, which is unknown.
        [
          'an upper-case label (lowercased)',
          'unknown',
          { path: '/whoami', headers: { Host: 'EVIL-CORP.EXAMPLE.TEST' } },
        ],
        ['a foreign host', 'missing', { path: '/whoami', headers: { Host: 'acme.other.test' } }],
        [
          'X-Forwarded-Host without trustProxy',
          'missing',
          { path: '/whoami', headers: { Host: 'example.test', 'X-Forwarded-Host': 'acme.example.test' } },
        ],
      ],
    },
  ],
  [
    'path',
    {
      options: { resolutionStrategy: 'path' },
      carry: (id, route = 'whoami') => ({ path: `/t/${id}/${route}?q=${id}`, headers: {}, input: id }),
      bare: (route = 'whoami') => ({ path: `/${route}`, headers: {} }),
      extraFailures: [
        ['an upper-case identifier', 'malformed', { path: '/t/ACME/whoami', headers: {}, input: 'ACME' }],
      ],
    },
  ],
  [
    'jwt',
    {
      options: { resolutionStrategy: 'jwt', jwtSecret: JWT_SECRET },
      carry: (id, route = 'whoami') => ({
        path: `/${route}`,
        headers: { Authorization: `Bearer ${token({ tenant_id: id })}` },
        input: id,
      }),
      bare: (route = 'whoami') => ({ path: `/${route}`, headers: {} }),
      extraFailures: [
        ['an expired token', 'invalid_token', bearer(token({ tenant_id: 'acme', exp: now() - 10 }))],
        ['a token without exp', 'invalid_token', bearer(jwt.sign({ tenant_id: 'acme' }))],
        ['a token not yet valid', 'invalid_token', bearer(token({ tenant_id: 'acme', nbf: now() + 600 }))],
        ['alg none', 'invalid_token', bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant_id: 'acme' })}.`)],
        [
          'another secret',
          'invalid_token',
          bearer(new JwtService({ secret: `${JWT_SECRET}-other` }).sign({ tenant_id: 'acme' }, { expiresIn: 60 })),
        ],
        ['garbage', 'invalid_token', bearer('x.y.z')],
        ['no claim', 'missing', bearer(token({ sub: 'u1' }))],
        ['a numeric claim', 'malformed', bearer(token({ tenant_id: 42 }))],
        ['an upper-case claim', 'malformed', bearer(token({ tenant_id: 'ACME' }))],
      ],
    },
  ],
];

/** Failures every strategy shares: [name, reason, identifier carried (null = nothing)]. */
export const COMMON_FAILURES: Array<[string, RejectionReason, string | null]> = [
  ['no identifier', 'missing', null],
  ['an identifier breaking the rule', 'malformed', 'bad_name'],
  ['a too-long identifier', 'malformed', `a${'b'.repeat(300)}`],
  ['an unknown tenant', 'unknown', 'ghost-co'],
  ['a suspended tenant', 'suspended', 'frozen-co'],
  ['a deleted tenant', 'deleted', 'gone-co'],
  ['a provisioning tenant', 'provisioning', 'pending-co'],
];

/** The identifier whose lookup fails like a store outage: answered 503, never the 404. */
export const BROKEN_STORE_IDENTIFIER = 'broken-co';
