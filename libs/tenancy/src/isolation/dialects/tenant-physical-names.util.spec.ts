import fc from 'fast-check';
import { TenancyError } from '../../errors/tenancy.error';
import { TENANT_IDENTIFIER_PATTERN } from '../../models/tenant-identifier';
import { NAME_PREFIX_PATTERN, databaseNameFor, schemaNameFor, tablePrefixFor } from './tenant-physical-names.util';

const identifiers = fc.stringMatching(TENANT_IDENTIFIER_PATTERN);
const prefixes = fc.stringMatching(NAME_PREFIX_PATTERN);
/** The name, or `null` when a random prefix happened to spell a reserved name (e.g. `gu` + `est`). */
const nameOrReserved = (prefix: string, id: string): string | null => {
  try {
    return schemaNameFor(prefix, id, 'mssql');
  } catch (e) {
    if (e instanceof TenancyError && /reserved/.test(e.message)) return null;
    throw e;
  }
};

describe('tenant physical names', () => {
  it('maps identifiers to schema, database and table-prefix names', () => {
    expect(schemaNameFor('t_', 'acme-corp')).toBe('t_acme_corp');
    expect(schemaNameFor('t_', 'acme--corp')).toBe('t_acme__corp');
    expect(databaseNameFor('tenant_', 'acme-corp')).toBe('tenant_acme_corp');
    expect(databaseNameFor('tenant_', 'acme-corp', 'mysql')).toBe('tenant_acme_corp');
    expect(tablePrefixFor('t_', 'acme-corp')).toBe('t_acme_corp__');
  });

  it.each(['Acme', 'a_b', 'ab', '-ab', 'ab-', 'a b', 'аbc', 'abc;', 'x'.repeat(300)])(
    'refuses the identifier %j',
    (id) => {
      expect(() => schemaNameFor('t_', id)).toThrow(TenancyError);
      expect(() => databaseNameFor('t_', id)).toThrow(TenancyError);
      expect(() => tablePrefixFor('t_', id)).toThrow(TenancyError);
    },
  );

  it.each(['', 'T_', '_t', '1t', 't-', 't"', 't;', 'a'.repeat(17), 'tа'])('refuses the prefix %j', (prefix) => {
    expect(() => schemaNameFor(prefix, 'acme')).toThrow(/prefix/);
  });

  it('refuses names over the dialect limit, naming it, and never truncates', () => {
    const id61 = `a${'b'.repeat(60)}`; // 't_' + 61 = 63 bytes: the PostgreSQL maximum
    expect(schemaNameFor('t_', id61)).toHaveLength(63);
    expect(() => schemaNameFor('t_', `${id61}c`)).toThrow(/postgres limit of 63 bytes/);
    expect(schemaNameFor('t_', `${id61}c`, 'mysql')).toHaveLength(64);
    expect(() => schemaNameFor('tt_', `${id61}c`, 'mysql')).toThrow(/mysql limit of 64 bytes/);
    expect(schemaNameFor('tenant_prefix_16', 'a'.repeat(63), 'mssql')).toHaveLength(79);
    expect(() => tablePrefixFor('tt_', `${id61}`)).toThrow(/sqlite limit of 64 bytes/);
  });

  it.each([
    ['p', 'ublic', 'postgres'],
    ['pg_', 'catalog', 'postgres'],
    ['p', 'g-toast', 'postgres'],
    ['i', 'nformation-schema', 'postgres'],
    ['m', 'ysql', 'mysql'],
    ['gu', 'est', 'mssql'],
    ['sqlite_', 'abc', 'sqlite'],
  ] as const)('refuses names reserved by the system (%s + %s on %s)', (prefix, id, dialect) => {
    const build = () => (dialect === 'sqlite' ? tablePrefixFor(prefix, id) : schemaNameFor(prefix, id, dialect));
    expect(build).toThrow(/reserved/);
  });

  it('gives every short identifier a table prefix that fits SQLite (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{1,57}[a-z0-9]$/), (id) => {
        expect(tablePrefixFor('t_', id)).toBe(`t_${id.replaceAll('-', '_')}__`);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is injective: distinct valid identifiers give distinct names (property)', () => {
    fc.assert(
      fc.property(prefixes, identifiers, identifiers, (prefix, a, b) => {
        fc.pre(a !== b);
        const [na, nb] = [nameOrReserved(prefix, a), nameOrReserved(prefix, b)];
        if (na !== null && nb !== null) expect(na).not.toBe(nb);
      }),
      { numRuns: 10_000 },
    );
  });

  it('is invertible: the identifier is recovered from the name (property)', () => {
    fc.assert(
      fc.property(prefixes, identifiers, (prefix, id) => {
        const name = nameOrReserved(prefix, id);
        if (name !== null) expect(name.slice(prefix.length).replaceAll('_', '-')).toBe(id);
      }),
      { numRuns: 10_000 },
    );
  });
});
