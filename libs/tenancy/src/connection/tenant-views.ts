import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyError } from '../errors/tenancy.error';
import { schemaNameFor, tablePrefixFor } from '../isolation/dialects/tenant-physical-names.util';
import { mssqlSchemaBinding, mysqlSchemaBinding, sqlitePrefixBinding } from '../isolation/schema-rewrite.binding';
import { bindViewTenant } from '../isolation/tenant-id.subscriber';
import { pgRlsBinding } from '../isolation/pg-rls.binding';
import { pgSchemaBinding } from '../isolation/pg-schema.binding';
import type { Tenant } from '../models/tenant.model';
import { createTenantView, type ViewBinding } from './shared-pool-view';
import type { TenancyDataSources } from './tenancy-data-sources';

/** Views are a few small objects over shared metadata, so many fit (1,000s of tenants). */
const MAX_VIEWS = 20_000;

/** Tenant DataSources over the shared pool (schema and RLS), cached by tenant and placement. */
export class TenantViews {
  private readonly views = new LRUCache<string, DataSource>({ max: MAX_VIEWS });
  private readonly byObject = new WeakMap<Tenant, DataSource>();
  private violations = 0;
  private readonly countViolation = () => void this.violations++;

  constructor(
    private readonly sources: TenancyDataSources,
    private readonly options: ResolvedTenancyOptions,
  ) {}

  get(tenant: Tenant): DataSource {
    // Per request the tenant is the same frozen object from the cache: one WeakMap read, no key
    // string, no LRU bookkeeping (bench/ANALYSIS.md). The LRU bounds what outlives that object.
    const known = this.byObject.get(tenant);
    if (known) return known;
    const key = `${tenant.id}:${tenant.isolationStrategy}`;
    let view = this.views.get(key);
    if (!view) {
      view = bindViewTenant(this.create(tenant), tenant.id);
      this.views.set(key, view);
    }
    this.byObject.set(tenant, view);
    return view;
  }

  /** Forgets a tenant's views (placement change, deletion). */
  evict(tenantId: string): void {
    for (const key of this.views.keys()) if (key.startsWith(`${tenantId}:`)) this.views.delete(key);
  }

  get size(): number {
    return this.views.size;
  }

  /** Statements the scoping check refused since start-up (`getMetrics().scopeViolations`). */
  get scopeViolations(): number {
    return this.violations;
  }

  private create(tenant: Tenant): DataSource {
    const { sharedSchema, sharedRls } = this.sources;
    if (tenant.isolationStrategy === 'schema') {
      if (!sharedSchema) throw this.unsupported(tenant);
      return createTenantView(sharedSchema, this.schemaBinding(tenant), this.countViolation);
    }
    if (tenant.isolationStrategy === 'rls') {
      // Without verified policies an RLS tenant would see every row: refuse (fail closed).
      if (!sharedRls || !this.sources.rls.ready) throw this.unsupported(tenant);
      return createTenantView(
        sharedRls,
        pgRlsBinding(tenant.id, this.options.scopeMode, this.options.schemaPrefix),
        this.countViolation,
      );
    }
    throw this.unsupported(tenant);
  }

  private schemaBinding(tenant: Tenant): ViewBinding {
    const { dialect } = this.sources;
    if (dialect === 'sqlite') return sqlitePrefixBinding(tablePrefixFor(this.options.schemaPrefix, tenant.identifier));
    const name = schemaNameFor(this.options.schemaPrefix, tenant.identifier, dialect);
    if (dialect === 'mysql') return mysqlSchemaBinding(name, this.sources.rootDatabase);
    if (dialect === 'mssql') return mssqlSchemaBinding(name);
    return pgSchemaBinding(name, this.options.scopeMode, this.options.schemaPrefix);
  }

  private unsupported(tenant: Tenant): TenancyError {
    return new TenancyError(
      `Tenant isolation "${tenant.isolationStrategy}" is not available on ${this.sources.dialect} ` +
        'with the entities registered (TenancyModule.forFeature or the entities option).',
    );
  }
}
