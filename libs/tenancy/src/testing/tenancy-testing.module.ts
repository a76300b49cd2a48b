import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TenantAdminService } from '../admin/tenant-admin.service';
import type { EntityTarget, TenancyModuleOptions } from '../config/tenancy-options.interface';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { TenancyModule } from '../tenancy.module';

/** Options of `TenancyTestingModule.forRoot`. */
export interface TenancyTestingOptions {
  /** Identifiers registered (storage created, tables synchronized, status `active`) at app init. */
  tenants: string[];
  /** Tenant entities besides those of `TenancyModule.forFeature([...])`. */
  entities?: EntityTarget[];
  /**
   * Any other `TenancyModule` option (e.g. `resolutionStrategy`, `tenantHeaderName`,
   * `databaseUrl: 'sqlite:/tmp/x.sqlite'` to keep the file). Defaults: a SQLite file in a fresh
   * temporary folder (removed when the app closes), the memory store, no cache, schema isolation
   * (a table prefix per tenant).
   */
  options?: Partial<TenancyModuleOptions>;
}

const TESTING_TENANTS = Symbol('TENANCY_TESTING_TENANTS');
const TESTING_FOLDER = Symbol('TENANCY_TESTING_FOLDER');

/** @internal Registers the configured tenants once the app (and every `forFeature`) is up. */
@Injectable()
class TestingTenantsRegistrar implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly admin: TenantAdminService,
    @Inject(TESTING_TENANTS) private readonly tenants: string[],
    @Inject(TESTING_FOLDER) private readonly folder: string | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const identifier of this.tenants) await this.admin.register({ identifier, name: identifier });
  }

  /** Runs after the core module closed the DataSources (deeper modules close first). */
  onApplicationShutdown(): void {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  }
}

/**
 * `TenancyModule` for an application's own tests: no database server (SQLite in memory through
 * better-sqlite3, a temporary file), the memory tenant store, and the given tenants registered at init. Import it
 * instead of `TenancyModule.forRoot(...)`; `TenancyModule.forFeature([...])` and
 * `@InjectTenantRepository` work as in the app. Send the tenant with `tenantHeaders(app, 'acme')`.
 * @example
 * const ref = await Test.createTestingModule({
 *   imports: [TenancyTestingModule.forRoot({ tenants: ['acme', 'globex'] }), OrdersModule],
 * }).compile();
 * const app = await ref.createNestApplication().init();
 */
@Module({})
export class TenancyTestingModule {
  static forRoot(options: TenancyTestingOptions): DynamicModule {
    const tenants = options?.tenants;
    if (!Array.isArray(tenants) || tenants.some((t) => typeof t !== 'string')) {
      throw new TenancyConfigError('TenancyTestingModule.forRoot: tenants must be an array of identifiers');
    }
    // A file, not `sqlite::memory:`: provisioning opens its own connection, which would see another database.
    const folder = options.options?.databaseUrl ? null : mkdtempSync(join(tmpdir(), 'nestjs-tenancy-testing-'));
    return {
      module: TenancyTestingModule,
      imports: [
        TenancyModule.forRoot({
          databaseUrl: `sqlite:${join(folder ?? '', 'tenancy.sqlite')}`,
          databaseUrlTemplate: `sqlite:${join(folder ?? '', '{database_name}.sqlite')}`,
          store: 'memory',
          cacheEnabled: false,
          isolationStrategy: 'schema',
          ...options.options,
          entities: [...(options.options?.entities ?? []), ...(options.entities ?? [])],
        }),
      ],
      providers: [
        { provide: TESTING_TENANTS, useValue: [...tenants] },
        { provide: TESTING_FOLDER, useValue: folder },
        TestingTenantsRegistrar,
      ],
      exports: [TenancyModule],
    };
  }
}
