import { TenancyError } from '../../errors/tenancy.error';
import { previewUntrustedInput } from '../../models/tenant-identifier';
import type { Dialect, DialectDdl } from './dialect.types';
import { mssqlDdl } from './mssql.ddl';
import { mysqlDdl } from './mysql.ddl';
import { postgresDdl } from './postgres.ddl';
import { sqliteDdl } from './sqlite.ddl';

const BY_DIALECT: Readonly<Record<Dialect, DialectDdl>> = Object.freeze({
  postgres: postgresDdl,
  mysql: mysqlDdl,
  sqlite: sqliteDdl,
  mssql: mssqlDdl,
});

/**
 * The DDL builder of `dialect`.
 * @example ddlFor(dialectFromUrl(options.databaseUrl)).createNamespace('t_acme')
 */
export function ddlFor(dialect: Dialect): DialectDdl {
  if (!Object.hasOwn(BY_DIALECT, dialect)) {
    throw new TenancyError(
      `Unknown SQL dialect ${previewUntrustedInput(dialect)}: expected postgres, mysql, sqlite or mssql`,
    );
  }
  return BY_DIALECT[dialect];
}
