import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TenancyError } from '../../errors/tenancy.error';
import { isValidTenantIdentifier } from '../../models/tenant-identifier';
import { ddlFor } from './dialect-ddl.registry';
import { DIALECTS, type Dialect } from './dialect.types';
import { MAX_NAME_BYTES, PHYSICAL_NAME_PATTERN } from './physical-name.util';
import { rlsStatements } from './postgres-rls.ddl';
import { isReservedName } from './reserved-names.util';
import { dialectFromUrl } from './dialect-from-url.util';
import { buildTenantDatabaseUrl } from './tenant-database-url.util';
import { NAME_PREFIX_PATTERN, schemaNameFor, tablePrefixFor } from './tenant-physical-names.util';

// node:assert inside properties: Jest's expect costs ~65 µs a call, 10x the code under test.
const RUNS = { numRuns: 10_000 };
const NASTY = [...'"`[]\';. \0\u0430A-_az09\n\u00e9$/\\{}\u202e', '..', '--', "N'"];
/** Arbitrary strings: any UTF-16, hostile characters, and valid-looking names of every length around the limits. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 70 }),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,130}$/),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/),
);
/** Mostly valid names, so that properties over several inputs still reach the accepting path. */
const mostlyValid = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_]{0,70}$/), weight: 6 },
  { arbitrary: anyText, weight: 1 },
);
const settings = fc.oneof(fc.constantFrom('app.current_tenant', 'my_app.tenant_id'), anyText);
const identifiers = fc.stringMatching(/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/);
const QUOTED: Readonly<Record<Dialect, RegExp>> = {
  postgres: /"([^"]*)"/g,
  sqlite: /"([^"]*)"/g,
  mysql: /`([^`]*)`/g,
  mssql: /\[([^\]]*)\]/g,
};
const MARKERS = ['zzmarkone', 'zzmarktwo', 'zzmarkthree', 'zzmarkfour'];

/** Calls that returned (not threw), so each property can prove it exercised the accepting path. */
let accepted = 0;
beforeEach(() => {
  accepted = 0;
});
const expectAccepted = (atLeast: number) => expect(accepted).toBeGreaterThanOrEqual(atLeast);

/** The result of `fn`, or `undefined` when it threw a TenancyError; any other error fails the test. */
function attempt<T>(fn: () => T): T | undefined {
  try {
    const value = fn();
    accepted += 1;
    return value;
  } catch (e) {
    if (e instanceof TenancyError) return undefined;
    throw e;
  }
}

const isPhysical = (name: string, dialect: Dialect) =>
  PHYSICAL_NAME_PATTERN.test(name) && name.length <= MAX_NAME_BYTES[dialect];

/** Every quoted identifier in `sql` is a validated physical name. */
function expectOnlyValidIdentifiers(sql: string, dialect: Dialect): void {
  for (const [, name] of sql.matchAll(QUOTED[dialect]))
    assert.ok(isPhysical(name, dialect), `bad identifier ${JSON.stringify(name)}`);
}

/** `sql` is exactly the reference statement with the markers replaced by `inputs`: nothing else leaked in. */
function expectTemplate(sql: string, reference: string, inputs: readonly string[]): void {
  assert.equal(
    sql,
    reference.replace(new RegExp(MARKERS.join('|'), 'g'), (m) => inputs[MARKERS.indexOf(m)]),
  );
}

describe.each(DIALECTS)('%s DDL with arbitrary names (property)', (dialect) => {
  const ddl = ddlFor(dialect);
  const builders = ['createNamespace', 'dropNamespace', 'createDatabase', 'dropDatabase'] as const;

  it('either throws TenancyError or emits only validated, quoted names', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        const quoted = attempt(() => ddl.quoteIdentifier(name));
        assert.equal(quoted !== undefined, isPhysical(name, dialect));
        for (const builder of builders) {
          const sql = attempt(() => ddl[builder](name));
          if (sql === undefined) continue;
          assert.ok(isPhysical(name, dialect) && !isReservedName(name, dialect));
          const reference = ddl[builder](MARKERS[0]);
          assert.equal(sql.length, reference.length);
          sql.forEach((s, i) => {
            expectOnlyValidIdentifiers(s, dialect);
            expectTemplate(s, reference[i], [name]);
          });
        }
        const exists = attempt(() => ddl.databaseExistsQuery(name));
        if (exists) assert.deepEqual(exists.params, [name]);
      }),
      RUNS,
    );
    expectAccepted(5_000);
  });
});

describe('names and URLs from arbitrary input (property)', () => {
  it('RLS statements hold only validated identifiers and a validated setting', () => {
    fc.assert(
      fc.property(
        mostlyValid,
        mostlyValid,
        mostlyValid,
        mostlyValid,
        fc.option(settings, { nil: undefined }),
        (schema, table, column, policyName, setting) => {
          const sql = attempt(() => rlsStatements({ schema, table }, { column, policyName, setting }));
          if (sql === undefined) return;
          const reference = rlsStatements(
            { schema: MARKERS[0], table: MARKERS[1] },
            { column: MARKERS[2], policyName: MARKERS[3], setting },
          );
          sql.forEach((s, i) => {
            expectOnlyValidIdentifiers(s, 'postgres');
            expectTemplate(s, reference[i], [schema, table, column, policyName]);
          });
          assert.ok(setting === undefined || /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(setting));
        },
      ),
      RUNS,
    );
    expectAccepted(2_000);
  });

  it('physical names come only from a valid prefix and identifier', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fc.constant('t_'), fc.stringMatching(NAME_PREFIX_PATTERN)),
        fc.oneof(anyText, identifiers),
        fc.constantFrom(...DIALECTS),
        (prefix, identifier, dialect) => {
          const name = attempt(() => schemaNameFor(prefix, identifier, dialect));
          const tablePrefix = attempt(() => tablePrefixFor(prefix, identifier));
          for (const [built, suffix, d] of [
            [name, '', dialect],
            [tablePrefix, '__', 'sqlite'],
          ] as const) {
            if (built === undefined) continue;
            assert.ok(NAME_PREFIX_PATTERN.test(prefix) && isValidTenantIdentifier(identifier));
            assert.equal(built, `${prefix}${identifier.replaceAll('-', '_')}${suffix}`);
            assert.ok(isPhysical(built, d));
          }
        },
      ),
      RUNS,
    );
    expectAccepted(2_000);
  });

  it('tenant database URLs only ever receive a validated name', () => {
    const template = 'sqlite:./data/{database_name}.sqlite';
    fc.assert(
      fc.property(anyText, (name) => {
        const url = attempt(() => buildTenantDatabaseUrl(template, name));
        if (url === undefined) return;
        assert.ok(isPhysical(name, 'sqlite'));
        assert.equal(url, `sqlite:./data/${name}.sqlite`);
      }),
      RUNS,
    );
    expectAccepted(500);
  });

  it('server templates: the built URL reaches the template host as the template user, database = the name', () => {
    const templates = [
      'postgresql://app:s3cret@db.internal:5432/{database_name}?sslmode=require',
      'mysql://app:s3cret@db.internal:3306/{database_name}',
      'mariadb://app:s3cret@db.internal/{database_name}',
      'mssql://app:s3cret@db.internal:1433/{database_name}?encrypt=false',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...templates), anyText, (template, name) => {
        const url = attempt(() => buildTenantDatabaseUrl(template, name));
        if (url === undefined) return;
        const built = new URL(url);
        const reference = new URL(template.replace('{database_name}', 'x'));
        assert.deepEqual(
          [built.protocol, built.username, built.password, built.host, built.search, built.hash],
          [
            reference.protocol,
            reference.username,
            reference.password,
            reference.host,
            reference.search,
            reference.hash,
          ],
        );
        assert.equal(built.pathname, `/${name}`);
        assert.ok(isPhysical(name, dialectFromUrl(template)));
      }),
      RUNS,
    );
    expectAccepted(500);
  });
});
