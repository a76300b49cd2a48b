import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { TestingModule } from '@nestjs/testing';
import {
  TenancyConfigError,
  TenancyModule,
  TenantAdminService,
  TenantConnectionManager,
  TenantContext,
  TenantStore,
  tenancyConfig,
  type ResolvedTenancyOptions,
  type TenancyModuleOptions,
} from 'nestjs-tenancy';
import { TENANCY_OPTIONS } from '../../libs/tenancy/src/tenancy.constants';
import { describeWith, usePostgresDatabase } from '../support';
import { lightOptions, useModuleBoot, withTenancyEnv } from './support';

describeWith('postgres', 'TenancyModule configuration (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const light = (extra: Partial<TenancyModuleOptions> = {}) => lightOptions(db.url, extra);
  const boot = useModuleBoot();

  /** What every way of configuring must produce: the core's singletons, resolved options. */
  function expectBooted(ref: TestingModule, expected: Partial<ResolvedTenancyOptions>) {
    expect(ref.get(TenantContext)).toBeInstanceOf(TenantContext);
    expect(ref.get(TenantConnectionManager)).toBeInstanceOf(TenantConnectionManager);
    expect(ref.get(TenantAdminService)).toBeInstanceOf(TenantAdminService);
    expect(typeof ref.get<TenantStore>(TenantStore).create).toBe('function');
    const options = ref.get<ResolvedTenancyOptions>(TENANCY_OPTIONS);
    expect(options).toMatchObject({ databaseUrl: db.url, tenantHeaderName: 'X-Tenant-ID', ...expected });
  }

  describe('configuration', () => {
    it('boots with forRoot', async () => {
      const ref = await boot([TenancyModule.forRoot(light({ schemaPrefix: 'fr_' }))]);
      expectBooted(ref, { schemaPrefix: 'fr_', store: 'memory', cacheEnabled: false });
    });

    it('boots with forRootAsync(tenancyConfig.asProvider()) reading TENANCY_* through @nestjs/config', async () => {
      const restore = withTenancyEnv({
        TENANCY_DATABASE_URL: db.url,
        TENANCY_STORE: 'memory',
        TENANCY_CACHE_ENABLED: 'false',
        TENANCY_POOL_SIZE: '2',
        TENANCY_SCHEMA_PREFIX: 'env_',
        TENANCY_PREMIUM_TENANTS: 'acme, globex',
      });
      try {
        const ref = await boot([
          ConfigModule.forRoot({ load: [tenancyConfig], ignoreEnvFile: true }),
          TenancyModule.forRootAsync(tenancyConfig.asProvider()),
        ]);
        expectBooted(ref, { schemaPrefix: 'env_', poolSize: 2, premiumTenants: ['acme', 'globex'] });
        expect(ref.get(ConfigService).get('tenancy.schemaPrefix')).toBe('env_');
      } finally {
        restore();
      }
    });

    it('boots with forRootAsync useFactory + inject (ConfigService)', async () => {
      const restore = withTenancyEnv({
        TENANCY_DATABASE_URL: db.url,
        TENANCY_STORE: 'memory',
        TENANCY_CACHE_ENABLED: 'off',
        TENANCY_TENANT_HEADER_NAME: 'X-Org',
      });
      try {
        const ref = await boot([
          ConfigModule.forRoot({ load: [tenancyConfig], ignoreEnvFile: true }),
          TenancyModule.forRootAsync({
            imports: [ConfigModule],
            inject: [ConfigService],
            useFactory: (config: ConfigService) => ({
              ...config.getOrThrow<TenancyModuleOptions>('tenancy'),
              poolSize: 3,
            }),
          }),
        ]);
        expectBooted(ref, { tenantHeaderName: 'X-Org', poolSize: 3 });
      } finally {
        restore();
      }
    });

    it('boots with forRootAsync useClass (createTenancyOptions)', async () => {
      @Injectable()
      class TenancyOptionsFactory {
        createTenancyOptions(): TenancyModuleOptions {
          return light({ schemaPrefix: 'cls_' });
        }
      }
      const ref = await boot([TenancyModule.forRootAsync({ useClass: TenancyOptionsFactory })]);
      expectBooted(ref, { schemaPrefix: 'cls_' });
    });

    it('boots with forRootAsync useExisting, and an async createTenancyOptions', async () => {
      @Injectable()
      class ExistingOptions {
        async createTenancyOptions(): Promise<TenancyModuleOptions> {
          await new Promise((r) => setImmediate(r));
          return light({ schemaPrefix: 'ex_' });
        }
      }
      @Module({ providers: [ExistingOptions], exports: [ExistingOptions] })
      class OptionsModule {}
      const ref = await boot([TenancyModule.forRootAsync({ imports: [OptionsModule], useExisting: ExistingOptions })]);
      expectBooted(ref, { schemaPrefix: 'ex_' });
    });

    describe('a bad option stops bootstrap with TenancyConfigError naming the variable', () => {
      it('forRoot', async () => {
        const booting = boot([TenancyModule.forRoot(light({ isolationStrategy: 'silo' as never }))]);
        await expect(booting).rejects.toThrow(TenancyConfigError);
        await expect(booting).rejects.toThrow(
          'TENANCY_ISOLATION_STRATEGY must be one of schema, database, rls, hybrid',
        );
      });

      it('forRootAsync useFactory', async () => {
        const booting = boot([
          TenancyModule.forRootAsync({ useFactory: () => light({ resolutionStrategy: 'jwt', jwtSecret: 'short' }) }),
        ]);
        await expect(booting).rejects.toThrow(/TENANCY_JWT_SECRET must be at least 32 characters/);
      });

      it.each([
        ['a bad value', { TENANCY_POOL_SIZE: '0' }, 'TENANCY_POOL_SIZE must be at least 1'],
        ['an unparsable value', { TENANCY_TRUST_PROXY: 'perhaps' }, 'TENANCY_TRUST_PROXY must be a boolean'],
        [
          'a misspelled variable',
          { TENANCY_ISOLATON_STRATEGY: 'rls' },
          'TENANCY_ISOLATON_STRATEGY is not a known variable (did you mean TENANCY_ISOLATION_STRATEGY?)',
        ],
      ])('tenancyConfig.asProvider() with %s', async (_case, vars, message) => {
        const restore = withTenancyEnv({ TENANCY_DATABASE_URL: db.url, TENANCY_STORE: 'memory', ...vars });
        try {
          const booting = boot([
            ConfigModule.forRoot({ load: [tenancyConfig], ignoreEnvFile: true }),
            TenancyModule.forRootAsync(tenancyConfig.asProvider()),
          ]);
          await expect(booting).rejects.toThrow(TenancyConfigError);
          await expect(booting).rejects.toThrow(message);
        } finally {
          restore();
        }
      });

      it('without ever connecting with the bad configuration (no password in the message)', async () => {
        const url = new URL(db.url);
        url.password = 'hunter2-XyZzY';
        const booting = boot([TenancyModule.forRoot(light({ databaseUrl: url.toString(), poolSize: 0 }))]);
        await expect(booting).rejects.toThrow('TENANCY_POOL_SIZE must be at least 1');
        await booting.catch((e: Error) => expect(e.message).not.toContain('XyZzY'));
      });
    });
  });
});
