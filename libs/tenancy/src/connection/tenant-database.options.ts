import { rm } from 'node:fs/promises';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import type { EntityTarget, ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { FieldEncryptor } from '../crypto/field-encryptor';
import { TenantIdSubscriber } from '../isolation/tenant-id.subscriber';
import { dialectFromUrl } from '../isolation/dialects/dialect-from-url.util';
import { buildTenantDatabaseUrl } from '../isolation/dialects/tenant-database-url.util';
import { databaseNameFor } from '../isolation/dialects/tenant-physical-names.util';
import type { Tenant } from '../models/tenant.model';
import { dataSourceOptionsFromUrl } from '../store/data-source-options.util';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import { withTimeouts } from './driver-timeouts.util';
import { withPassthrough } from './typeorm-passthrough.util';

/** Where a database-per-tenant tenant lives, and the DataSource options to reach it. */
@Injectable()
export class TenantDatabaseOptions {
  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Optional() private readonly encryptor?: FieldEncryptor,
  ) {}

  /** The tenant's own `databaseUrl` (decrypted) or `databaseUrlTemplate` with its database name. */
  urlFor(tenant: Tenant): string {
    if (tenant.databaseUrl) return this.encryptor ? this.encryptor.decrypt(tenant.databaseUrl) : tenant.databaseUrl;
    return buildTenantDatabaseUrl(this.template, this.databaseName(tenant));
  }

  databaseName(tenant: Pick<Tenant, 'identifier'>): string {
    return databaseNameFor(this.options.databasePrefix, tenant.identifier, dialectFromUrl(this.template));
  }

  /** DataSource options of the tenant's database; `forMigrations`: without the statement timeout. */
  forTenant(
    tenant: Tenant,
    entities: EntityTarget[],
    extra: Record<string, unknown> = {},
    forMigrations = false,
  ): DataSourceOptions {
    const options = dataSourceOptionsFromUrl(this.urlFor(tenant), {
      entities,
      subscribers: [TenantIdSubscriber],
      poolSize: this.options.poolSize,
      synchronize: false,
      ...extra,
    } as Partial<DataSourceOptions>);
    return withTimeouts(
      withPassthrough(options, this.options.typeorm),
      forMigrations ? { ...this.options, statementTimeoutMs: 0 } : this.options,
    );
  }

  /** Deletes a SQLite tenant file made from the template (never a URL the tenant brought). */
  async removeSqliteFile(tenant: Tenant): Promise<void> {
    const url = buildTenantDatabaseUrl(this.template, this.databaseName(tenant));
    await rm(url.slice('sqlite:'.length), { force: true });
  }

  private get template(): string {
    return this.options.databaseUrlTemplate ?? this.options.databaseUrl;
  }
}
