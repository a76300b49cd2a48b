import fc from 'fast-check';
import { TenancyError } from '../errors/tenancy.error';
import {
  TENANT_IDENTIFIER_PATTERN,
  assertValidTenantIdentifier,
  isValidTenantIdentifier,
  previewUntrustedInput,
} from './tenant-identifier';

describe('tenant identifiers', () => {
  it.each([
    ['abc', true],
    ['a-b', true],
    ['acme-corp', true],
    ['a1b2', true],
    ['a--b', true],
    ['a'.repeat(63), true],
    ['ab', false],
    ['a', false],
    ['', false],
    ['-ab', false],
    ['ab-', false],
    ['1ab', false],
    ['Ab', false],
    ['ABC', false],
    ['a_b', false],
    ['a.b', false],
    ['a b', false],
    ['abc\n', false],
    ['abc\0', false],
    ['аbc', false], // Cyrillic а
    ["ab'c", false],
    ['a;b', false],
    ['a'.repeat(64), false],
    ['abcdef01-2345-4789-8abc-def012345678', false], // UUID-shaped: could be taken for a tenant id
    ['abcdef01-2345-4789-8abc-def01234567', true], // one character short of the UUID shape
  ])('%j → %s', (input, ok) => {
    expect(isValidTenantIdentifier(input)).toBe(ok);
  });

  it.each([null, undefined, 42, {}, ['abc'], Symbol('abc')])('refuses the non-string %p', (input) => {
    expect(isValidTenantIdentifier(input)).toBe(false);
  });

  it('refuses input over 255 characters without running the pattern', () => {
    const spy = jest.spyOn(TENANT_IDENTIFIER_PATTERN, 'test');
    try {
      expect(isValidTenantIdentifier('a'.repeat(300))).toBe(false);
      expect(isValidTenantIdentifier('a'.repeat(256))).toBe(false);
      expect(spy).not.toHaveBeenCalled();
      isValidTenantIdentifier('abc');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('asserts with a TenancyError explaining the rule', () => {
    expect(() => assertValidTenantIdentifier('acme')).not.toThrow();
    expect(() => assertValidTenantIdentifier('Acme')).toThrow(TenancyError);
    expect(() => assertValidTenantIdentifier('Acme')).toThrow(
      /3 to 63 characters.*\^\[a-z\]\[a-z0-9-\]\{1,61\}\[a-z0-9\]\$/,
    );
    expect(() => assertValidTenantIdentifier(7)).toThrow(/\(number\)/);
  });

  it('echoes at most 64 characters of the input', () => {
    const input = `${'x'.repeat(64)}SECRET${'y'.repeat(200)}`;
    let message = '';
    try {
      assertValidTenantIdentifier(input);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('x'.repeat(64));
    expect(message).not.toContain('SECRET');
    expect(message).toContain('(270 characters)');
  });

  it('previews control characters escaped', () => {
    expect(previewUntrustedInput('a\0"b')).toBe('"a\\u0000\\"b"');
    expect(previewUntrustedInput(null)).toBe('(null)');
  });

  it('accepts exactly what the pattern accepts (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.stringMatching(/^[a-z0-9_-]{0,70}$/)),
        (s) => {
          expect(isValidTenantIdentifier(s)).toBe(/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(s));
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
