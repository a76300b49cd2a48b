import { TenantResolutionError } from '../tenant-resolution.error';
import type { TenancyRequest } from '../tenant-resolver.interface';
import { HeaderResolver } from './header.resolver';

const request = (headers: TenancyRequest['headers']): TenancyRequest => ({ headers });

describe('HeaderResolver', () => {
  const resolver = new HeaderResolver({ tenantHeaderName: 'X-Tenant-ID' });

  it.each<[string, TenancyRequest['headers'], string | null]>([
    ['lowercase name (as Node gives it)', { 'x-tenant-id': 'acme' }, 'acme'],
    ['mixed-case name on a hand-built request', { 'X-Tenant-Id': 'acme' }, 'acme'],
    ['upper-case name', { 'X-TENANT-ID': 'acme' }, 'acme'],
    ['surrounding whitespace trimmed', { 'x-tenant-id': '  acme \t' }, 'acme'],
    ['value returned as sent (validation happens in the guard)', { 'x-tenant-id': 'ACME' }, 'ACME'],
    ['absent', { other: 'acme' }, null],
    ['empty', { 'x-tenant-id': '' }, null],
    ['whitespace only', { 'x-tenant-id': '   ' }, null],
    ['undefined value', { 'x-tenant-id': undefined }, null],
  ])('%s', (_name, headers, expected) => {
    expect(resolver.resolve(request(headers))).toBe(expected);
  });

  it.each<[string, TenancyRequest['headers']]>([
    ['a repeated header (array)', { 'x-tenant-id': ['acme', 'evil'] }],
    ['a one-element array', { 'x-tenant-id': ['acme'] }],
  ])('refuses %s as malformed', (_name, headers) => {
    expect(() => resolver.resolve(request(headers))).toThrow(expect.objectContaining({ reason: 'malformed' }));
    expect(() => resolver.resolve(request(headers))).toThrow(TenantResolutionError);
  });

  it('uses a custom header name and defaults to X-Tenant-ID', () => {
    expect(new HeaderResolver({ tenantHeaderName: 'X-Org' }).resolve(request({ 'x-org': 'acme' }))).toBe('acme');
    expect(new HeaderResolver().resolve(request({ 'x-tenant-id': 'acme' }))).toBe('acme');
  });
});
