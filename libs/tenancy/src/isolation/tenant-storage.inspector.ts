import { existsSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import type { TenancyDataSources } from '../connection/tenancy-data-sources';
import { TenantDatabaseOptions } from '../connection/tenant-database.options';
import type { Tenant } from '../models/tenant.model';
import { TENANCY_DATA_SOURCES, TENANCY_OPTIONS } from '../tenancy.constants';
import { dialectFromUrl } from './dialects/dialect-from-url.util';
import { ddlFor } from './dialects/dialect-ddl.registry';
import { tablePrefixFor } from './dialects/tenant-physical-names.util';
import type { ParameterizedQuery } from './dialects/dialect.types';
import { databaseContentsQuery, namespaceContentsQuery, namespaceExistsQuery } from './storage-contents.sql';
import { TenantProvisioner } from './tenant-provisioner';

/** What a tenant's schema or database held before registration: nothing, an empty one, or objects. */
export type ExistingStorage = 'none' | 'empty' | 'non-empty';

/**
 * @internal Looks at a tenant's storage before `register` creates it (issue 12): storage that
 * exists already is never dropped by a rollback, and non-empty storage is only taken when
 * adopted explicitly.
 */
@Injectable()
export class TenantStorageInspector {
  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TENANCY_DATA_SOURCES) private readonly sources: TenancyDataSources,
    private readonly databases: TenantDatabaseOptions,
    private readonly provisioner: TenantProvisioner,
  ) {}

  /** RLS tenants own no storage of their own: always `none`. */
  async inspect(tenant: Tenant): Promise<ExistingStorage> {
    if (tenant.isolationStrategy === 'schema') return this.inspectNamespace(tenant);
    if (tenant.isolationStrategy === 'database') return this.inspectDatabase(tenant);
    return 'none';
  }

  /** `schema "t_acme"`, `database "tenant_acme"`, `tables prefixed "t_acme__"` or `the database the tenant brought`. */
  label(tenant: Tenant): string {
    if (tenant.isolationStrategy === 'schema') {
      if (this.sources.dialect === 'sqlite')
        return `tables prefixed "${tablePrefixFor(this.options.schemaPrefix, tenant.identifier)}"`;
      const kind = this.sources.dialect === 'mysql' ? 'database' : 'schema';
      return `${kind} "${this.provisioner.schemaName(tenant)}"`;
    }
    if (tenant.databaseUrl) return 'the database the tenant brought (databaseUrl)';
    return `database "${this.databases.databaseName(tenant)}"`;
  }

  private async inspectNamespace(tenant: Tenant): Promise<ExistingStorage> {
    const dialect = this.sources.dialect;
    const name =
      dialect === 'sqlite'
        ? tablePrefixFor(this.options.schemaPrefix, tenant.identifier)
        : this.provisioner.schemaName(tenant);
    const exists = namespaceExistsQuery(dialect, name);
    if (exists && !(await this.found(exists))) return 'none';
    const full = await this.found(namespaceContentsQuery(dialect, name));
    if (!exists) return full ? 'non-empty' : 'none'; // a table prefix exists only through its tables
    return full ? 'non-empty' : 'empty';
  }

  private async inspectDatabase(tenant: Tenant): Promise<ExistingStorage> {
    const dialect = dialectFromUrl(this.options.databaseUrlTemplate ?? this.options.databaseUrl);
    if (!tenant.databaseUrl) {
      const name = this.databases.databaseName(tenant);
      const exists = ddlFor(dialect).databaseExistsQuery(name);
      if (exists ? !(await this.found(exists)) : !existsSync(this.databases.urlFor(tenant).slice('sqlite:'.length)))
        return 'none';
    }
    const rows = await this.provisioner.withTenantDataSource(tenant, (ds) =>
      ds.query(databaseContentsQuery(dialectFromUrl(this.databases.urlFor(tenant)))),
    );
    return (rows as unknown[]).length > 0 ? 'non-empty' : 'empty';
  }

  private async found(query: ParameterizedQuery): Promise<boolean> {
    return ((await this.sources.root.query(query.sql, [...query.params])) as unknown[]).length > 0;
  }
}
