import { createHmac, generateKeyPairSync } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { loadTenancyConfig } from '../../config/load-tenancy-config';
import { TenancyConfigError } from '../../errors/tenancy-config.error';
import type { TenancyRequest } from '../tenant-resolver.interface';
import { createTenantResolver } from './create-tenant-resolver';
import { JwtClaimResolver, type JwtResolverOptions } from './jwt-claim.resolver';

const SECRET = 'a-very-long-test-secret-of-at-least-32-chars';
const OTHER_SECRET = 'another-long-test-secret-of-at-least-32-chars';
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const jwt = new JwtService();
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (token: string): TenancyRequest => ({ headers: { authorization: `Bearer ${token}` } });

/** A token assembled by hand, so nothing in a library can refuse to produce it. */
function handMade(header: object, payload: object, sign: (input: string) => string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}
const hmac = (key: string) => (input: string) => createHmac('sha256', key).update(input).digest('base64url');

/** HS256 with a one-minute `exp` unless the payload or the options set one. */
const hs = (payload: object, options: Record<string, unknown> = {}) =>
  jwt.sign('exp' in payload || 'expiresIn' in options ? payload : { exp: now() + 60, ...payload }, {
    secret: SECRET,
    algorithm: 'HS256',
    ...options,
  });
const noExp = (payload: object) => jwt.sign(payload, { secret: SECRET, algorithm: 'HS256' });

describe('JwtClaimResolver', () => {
  const options: JwtResolverOptions = { jwtSecret: SECRET, jwtAlgorithms: ['HS256'], jwtTenantClaim: 'tenant_id' };
  const resolver = new JwtClaimResolver(options);
  const resolve = (token: string, r = resolver) => r.resolve(bearer(token));

  describe('accepts', () => {
    it('a valid HS256 token', () => expect(resolve(hs({ tenant_id: 'acme' }))).toBe('acme'));
    it('a lowercase bearer scheme', () =>
      expect(resolver.resolve({ headers: { authorization: `bearer ${hs({ tenant_id: 'acme' })}` } })).toBe('acme'));
    it('a token with exp in the future and nbf in the past', () =>
      expect(resolve(hs({ tenant_id: 'acme', nbf: now() - 5 }, { expiresIn: 60 }))).toBe('acme'));
    it('a valid RS256 token with the public key pinned', () => {
      const rs = new JwtClaimResolver({ ...options, jwtSecret: publicKey, jwtAlgorithms: ['RS256'] });
      expect(resolve(jwt.sign({ tenant_id: 'acme' }, { privateKey, algorithm: 'RS256', expiresIn: 60 }), rs)).toBe(
        'acme',
      );
    });
    it('a just-expired token within the leeway', () => {
      const lenient = new JwtClaimResolver({ ...options, jwtLeewaySeconds: 30 });
      const token = hs({ tenant_id: 'acme', exp: now() - 5 });
      expect(resolve(token, lenient)).toBe('acme');
      expect(() => resolve(token)).toThrow(expect.objectContaining({ reason: 'invalid_token' }));
    });
    it('a token not yet valid within the leeway', () => {
      const lenient = new JwtClaimResolver({ ...options, jwtLeewaySeconds: 30 });
      expect(resolve(hs({ tenant_id: 'acme', nbf: now() + 5 }), lenient)).toBe('acme');
    });
    it('a token without exp when jwtRequireExp is false (opt-out)', () => {
      const lax = new JwtClaimResolver({ ...options, jwtRequireExp: false });
      expect(resolve(noExp({ tenant_id: 'acme' }), lax)).toBe('acme');
    });
    it('the right aud and iss, and a custom claim name', () => {
      const strict = new JwtClaimResolver({ ...options, jwtAudience: 'api', jwtIssuer: 'auth', jwtTenantClaim: 'org' });
      expect(resolve(hs({ org: 'acme' }, { audience: 'api', issuer: 'auth' }), strict)).toBe('acme');
    });
  });

  describe('has no identifier for', () => {
    it.each<[string, TenancyRequest['headers']]>([
      ['no Authorization header', {}],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a bare Bearer', { authorization: 'Bearer ' }],
    ])('%s', (_name, headers) => expect(resolver.resolve({ headers })).toBeNull());
    it('a verified token without the claim', () => expect(resolve(hs({ sub: 'u1' }))).toBeNull());
  });

  describe('refuses as invalid_token', () => {
    const strict = new JwtClaimResolver({ ...options, jwtAudience: 'api', jwtIssuer: 'auth' });
    const rs = new JwtClaimResolver({ ...options, jwtSecret: publicKey, jwtAlgorithms: ['RS256'] });
    const valid = hs({ tenant_id: 'acme' });
    const [header, , signature] = valid.split('.');

    it.each<[string, () => string, JwtClaimResolver?]>([
      [
        'alg none (hand-built, no signature)',
        () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant_id: 'acme' })}.`,
      ],
      [
        'alg none with a signature part',
        () => handMade({ alg: 'none', typ: 'JWT' }, { tenant_id: 'acme' }, hmac(SECRET)),
      ],
      ['alg NONE (case variant)', () => `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64({ tenant_id: 'acme' })}.`],
      [
        'an algorithm outside the list (HS512)',
        () => jwt.sign({ tenant_id: 'acme' }, { secret: SECRET, algorithm: 'HS512', expiresIn: 60 }),
      ],
      ['an HS256 token when RS256 is pinned', () => hs({ tenant_id: 'acme' }), rs],
      [
        'HS256 signed with the RS public key as HMAC secret',
        () => handMade({ alg: 'HS256', typ: 'JWT' }, { tenant_id: 'acme' }, hmac(publicKey)),
        rs,
      ],
      [
        'an RS256 token when HS256 is pinned',
        () => jwt.sign({ tenant_id: 'acme' }, { privateKey, algorithm: 'RS256', expiresIn: 60 }),
      ],
      ['an expired token', () => hs({ tenant_id: 'acme', exp: now() - 5 })],
      ['a token without exp (required by default)', () => noExp({ tenant_id: 'acme' })],
      [
        'a token with a non-numeric exp',
        () => handMade({ alg: 'HS256', typ: 'JWT' }, { tenant_id: 'acme', exp: 'never' }, hmac(SECRET)),
      ],
      ['a token without exp and without the claim', () => noExp({ sub: 'u1' })],
      ['nbf in the future', () => hs({ tenant_id: 'acme', nbf: now() + 60 })],
      ['a wrong audience', () => hs({ tenant_id: 'acme' }, { audience: 'other', issuer: 'auth' }), strict],
      ['a missing audience', () => hs({ tenant_id: 'acme' }, { issuer: 'auth' }), strict],
      ['a wrong issuer', () => hs({ tenant_id: 'acme' }, { audience: 'api', issuer: 'evil' }), strict],
      ['a missing issuer', () => hs({ tenant_id: 'acme' }, { audience: 'api' }), strict],
      ['a tampered payload', () => `${header}.${b64({ tenant_id: 'evil' })}.${signature}`],
      ['a tampered signature', () => `${valid.slice(0, -2)}${valid.endsWith('AA') ? 'BB' : 'AA'}`],
      [
        'a token signed with another secret',
        () => jwt.sign({ tenant_id: 'acme' }, { secret: OTHER_SECRET, algorithm: 'HS256', expiresIn: 60 }),
      ],
      ['garbage', () => 'not-a-jwt'],
      ['two segments', () => `${header}.${b64({ tenant_id: 'acme' })}`],
    ])('%s', (_name, token, r = resolver) => {
      expect(() => resolve(token(), r)).toThrow(expect.objectContaining({ reason: 'invalid_token' }));
    });

    it('never lets the token into the error message', () => {
      const token = hs({ tenant_id: 'acme', exp: now() - 5 });
      try {
        resolve(token);
        throw new Error('expected a rejection');
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(token.split('.')[1]);
      }
    });
  });

  describe('refuses as malformed', () => {
    it.each<[string, unknown]>([
      ['a numeric claim', 42],
      ['an array claim', ['acme']],
      ['an object claim', { id: 'acme' }],
      ['a null claim', null],
    ])('%s', (_name, value) => {
      expect(() => resolve(hs({ tenant_id: value }))).toThrow(expect.objectContaining({ reason: 'malformed' }));
    });
    it('a repeated Authorization header', () => {
      expect(() => resolver.resolve({ headers: { authorization: ['Bearer a', 'Bearer b'] } })).toThrow(
        expect.objectContaining({ reason: 'malformed' }),
      );
    });
  });

  describe('from TENANCY_* variables', () => {
    /** Whether the chain answers synchronously or not, as a promise. */
    const answer = async (r: ReturnType<typeof fromEnv>, token: string) => r.resolve(bearer(token));
    const fromEnv = (env: Record<string, string>) =>
      createTenantResolver(
        loadTenancyConfig({
          TENANCY_DATABASE_URL: 'sqlite::memory:',
          TENANCY_RESOLUTION_STRATEGY: 'jwt',
          TENANCY_JWT_SECRET: SECRET,
          ...env,
        }),
      );
    const strict = fromEnv({ TENANCY_JWT_AUDIENCE: 'api', TENANCY_JWT_ISSUER: 'auth' });

    it('checks aud and iss set by TENANCY_JWT_AUDIENCE and TENANCY_JWT_ISSUER', async () => {
      await expect(answer(strict, hs({ tenant_id: 'acme' }, { audience: 'api', issuer: 'auth' }))).resolves.toBe(
        'acme',
      );
      for (const token of [
        hs({ tenant_id: 'acme' }, { audience: 'other', issuer: 'auth' }),
        hs({ tenant_id: 'acme' }, { audience: 'api', issuer: 'evil' }),
        hs({ tenant_id: 'acme' }),
      ]) {
        await expect(answer(strict, token)).rejects.toMatchObject({ reason: 'invalid_token' });
      }
    });

    it('requires exp unless TENANCY_JWT_REQUIRE_EXP=false', async () => {
      const token = noExp({ tenant_id: 'acme' });
      await expect(answer(fromEnv({}), token)).rejects.toMatchObject({ reason: 'invalid_token' });
      await expect(answer(fromEnv({ TENANCY_JWT_REQUIRE_EXP: 'false' }), token)).resolves.toBe('acme');
    });
  });

  describe('refuses to start with', () => {
    it.each<[string, JwtResolverOptions]>([
      ['no secret', { jwtAlgorithms: ['HS256'] }],
      ['none in the list', { jwtSecret: SECRET, jwtAlgorithms: ['HS256', 'none'] }],
      ['an empty list', { jwtSecret: SECRET, jwtAlgorithms: [] }],
      ['HMAC mixed with RSA', { jwtSecret: SECRET, jwtAlgorithms: ['HS256', 'RS256'] }],
      ['an HMAC secret where a public key is needed', { jwtSecret: SECRET, jwtAlgorithms: ['RS256'] }],
    ])('%s', (_name, bad) => expect(() => new JwtClaimResolver(bad)).toThrow(TenancyConfigError));
  });
});
