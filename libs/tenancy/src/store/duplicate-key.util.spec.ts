import { QueryFailedError } from 'typeorm';
import { isDuplicateKeyError } from './duplicate-key.util';

const wrap = (driverError: object) =>
  new QueryFailedError('INSERT ...', [], Object.assign(new Error('driver'), driverError));

describe('isDuplicateKeyError', () => {
  it.each([
    ['PostgreSQL 23505', wrap({ code: '23505' })],
    ['MySQL ER_DUP_ENTRY', wrap({ code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['MySQL errno 1062 only', wrap({ errno: 1062 })],
    ['SQLite unique', wrap({ code: 'SQLITE_CONSTRAINT_UNIQUE' })],
    ['SQLite primary key', wrap({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })],
    ['SQL Server 2627', wrap({ number: 2627 })],
    ['SQL Server 2601 (nested)', wrap({ originalError: { info: { number: 2601 } } })],
    ['a raw driver error', Object.assign(new Error('x'), { code: '23505' })],
  ])('recognises %s', (_, error) => {
    expect(isDuplicateKeyError(error)).toBe(true);
  });

  it.each([
    ['a foreign-key violation', wrap({ code: '23503' })],
    ['a NOT NULL violation in SQLite', wrap({ code: 'SQLITE_CONSTRAINT_NOTNULL' })],
    ['a deadlock', wrap({ errno: 1213 })],
    ['a plain error', new Error('boom')],
    ['a string', 'ER_DUP_ENTRY'],
    ['undefined', undefined],
  ])('ignores %s', (_, error) => {
    expect(isDuplicateKeyError(error)).toBe(false);
  });
});
