import { TenancyError } from '../errors/tenancy.error';
import { sqlWords } from './sql-words.util';

const names = (sql: string, flavour: 'sqlite' | 'mysql' = 'sqlite') => sqlWords(sql, flavour).map((w) => w.name);

describe('sqlWords', () => {
  it('skips literals and comments, unquotes identifiers, lower-cases', () => {
    expect(names(`SELECT 'tenants' /* tenants */ , "A""b" -- tenants\n FROM [X y], \`Z\``)).toEqual([
      'select',
      'a"b',
      'from',
      'x y',
      'z',
    ]);
  });

  it('marks qualifiers (a word followed by a dot)', () => {
    const words = sqlWords('SELECT o.id FROM root_db . tenants o', 'mysql');
    expect(words.filter((w) => w.qualifies).map((w) => w.name)).toEqual(['o', 'root_db']);
  });

  it('MySQL: double quotes are read as identifiers, # starts a comment', () => {
    expect(names('SELECT "root_db" # tenants', 'mysql')).toEqual(['select', 'root_db']);
  });

  it.each([
    ['an unterminated literal', "SELECT 'x", 'sqlite'],
    ['an unterminated identifier', 'SELECT "x', 'sqlite'],
    ['an unterminated comment', 'SELECT 1 /* x', 'sqlite'],
    ['a backslash in a MySQL literal', "SELECT 'x\\' , tenants", 'mysql'],
    ['a MySQL executable comment', 'SELECT 1 /*!50000 , tenants */', 'mysql'],
  ] as const)('refuses %s', (_what, sql, flavour) => {
    expect(() => sqlWords(sql, flavour)).toThrow(TenancyError);
  });
});
