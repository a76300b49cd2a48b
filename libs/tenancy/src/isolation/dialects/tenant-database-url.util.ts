import { TenancyError } from '../../errors/tenancy.error';
import { dialectFromUrl } from './dialect-from-url.util';
import { assertTenantOwnedName } from './reserved-names.util';

/** Placeholder that `databaseUrlTemplate` must contain. */
export const DATABASE_NAME_PLACEHOLDER = '{database_name}';

/**
 * The URL of a tenant's own database: every `{database_name}` in `template` replaced by the
 * validated `databaseName` (which can hold no `/`, `.`, `?` or `%`, so no path tricks).
 * @example buildTenantDatabaseUrl('sqlite:./data/{database_name}.sqlite', 'tenant_acme')
 * // 'sqlite:./data/tenant_acme.sqlite'
 */
export function buildTenantDatabaseUrl(template: string, databaseName: string): string {
  const dialect = dialectFromUrl(template);
  if (!template.includes(DATABASE_NAME_PLACEHOLDER)) {
    throw new TenancyError(`databaseUrlTemplate must contain ${DATABASE_NAME_PLACEHOLDER}`);
  }
  const name = assertTenantOwnedName(databaseName, dialect, 'tenant database name');
  return template.split(DATABASE_NAME_PLACEHOLDER).join(name);
}
