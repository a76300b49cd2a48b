import { TenancyError } from '../../errors/tenancy.error';
import { dialectFromUrl } from './dialect-from-url.util';

describe('dialectFromUrl', () => {
  it.each([
    ['postgres://u:p@localhost:5432/app', 'postgres'],
    ['postgresql://u:p@localhost/app', 'postgres'],
    ['PostgreSQL://localhost/app', 'postgres'],
    ['mysql://u:p@localhost/app', 'mysql'],
    ['mariadb://u:p@localhost/app', 'mysql'],
    ['mssql://sa:p@localhost/app', 'mssql'],
    ['sqlite:./data/app.sqlite', 'sqlite'],
    ['sqlite::memory:', 'sqlite'],
    ['sqlite:./data/{database_name}.sqlite', 'sqlite'],
  ])('%s → %s', (url, dialect) => {
    expect(dialectFromUrl(url)).toBe(dialect);
  });

  it.each(['redis://localhost', 'http://x', 'postgres:/x', 'pg://x', '', '   postgres://x'])('refuses %j', (url) => {
    expect(() => dialectFromUrl(url)).toThrow(TenancyError);
  });

  it('names the scheme but never echoes credentials', () => {
    expect(() => dialectFromUrl('oracle://admin:hunter2@db/x')).toThrow(/"oracle:"/);
    expect(() => dialectFromUrl('oracle://admin:hunter2@db/x')).not.toThrow(/hunter2/);
  });
});
