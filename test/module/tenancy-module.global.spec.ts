import { Controller, Get, Injectable, Module, Scope } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Repository } from 'typeorm';
import {
  CurrentTenant,
  InjectTenantRepository,
  TenancyModule,
  TenantContext,
  type TenancyModuleOptions,
} from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase } from '../support';
import { lightOptions, useModuleBoot } from './support';

/** A provider in a module that does NOT import TenancyModule: it only resolves if the core is global. */
@Injectable()
class OutsideConsumer {
  constructor(readonly context: TenantContext) {}
}
@Module({ providers: [OutsideConsumer], exports: [OutsideConsumer] })
class OutsideModule {}

describeWith('postgres', 'TenancyModule core: global, singleton (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const light = (extra: Partial<TenancyModuleOptions> = {}) => lightOptions(db.url, extra);
  const boot = useModuleBoot();

  describe('global core', () => {
    it('is global by default: a module that does not import TenancyModule can inject TenantContext', async () => {
      const ref = await boot([TenancyModule.forRoot(light()), OutsideModule]);
      expect(ref.get(OutsideConsumer).context).toBe(ref.get(TenantContext));
    });

    it('is global by default with forRootAsync too', async () => {
      const ref = await boot([TenancyModule.forRootAsync({ useFactory: () => light() }), OutsideModule]);
      expect(ref.get(OutsideConsumer).context).toBe(ref.get(TenantContext));
    });

    it.each([
      ['forRoot', () => TenancyModule.forRoot({ ...light(), isGlobal: false })],
      ['forRootAsync', () => TenancyModule.forRootAsync({ isGlobal: false, useFactory: () => light() })],
    ])('isGlobal: false (%s) keeps the core out of modules that do not import it', async (_case, tenancy) => {
      await expect(boot([tenancy(), OutsideModule])).rejects.toThrow(/TenantContext/);
    });

    it('isGlobal: false still serves the module that imports it', async () => {
      @Injectable()
      class InsideConsumer {
        constructor(readonly context: TenantContext) {}
      }
      @Module({ imports: [TenancyModule.forRoot({ ...light(), isGlobal: false })], providers: [InsideConsumer] })
      class InsideModule {}
      const ref = await boot([InsideModule]);
      expect(ref.get(InsideConsumer).context).toBeInstanceOf(TenantContext);
    });
  });

  describe('singletons, never request-scoped', () => {
    @Injectable()
    class FeatureService {
      constructor(
        readonly context: TenantContext,
        @InjectTenantRepository(Order) readonly orders: Repository<Order>,
      ) {}
    }
    @Controller('feature')
    class FeatureController {
      constructor(
        readonly service: FeatureService,
        readonly context: TenantContext,
      ) {}
      @Get() get(@CurrentTenant('identifier') id: string) {
        return { id };
      }
    }
    @Module({
      imports: [TenancyModule.forFeature([Order, Customer])],
      controllers: [FeatureController],
      providers: [FeatureService],
      exports: [FeatureService],
    })
    class FeatureModule {}
    @Module({
      imports: [TenancyModule.forFeature([Order])],
      providers: [{ provide: 'SECOND', useFactory: (c: TenantContext) => c, inject: [TenantContext] }],
    })
    class SecondFeatureModule {}

    let ref: TestingModule;
    beforeAll(async () => {
      const imports = [TenancyModule.forRoot(light()), FeatureModule, SecondFeatureModule, OutsideModule];
      ref = await Test.createTestingModule({ imports }).compile();
      await ref.init();
    });
    afterAll(() => ref?.close());

    it('hands out one TenantContext everywhere', () => {
      const context = ref.get(TenantContext);
      expect(ref.get(FeatureService).context).toBe(context);
      expect(ref.get(FeatureController).context).toBe(context);
      expect(ref.get(OutsideConsumer).context).toBe(context);
      expect(ref.get('SECOND')).toBe(context);
      expect(ref.select(FeatureModule).get(TenantContext)).toBe(context);
      expect(ref.get(TenantContext, { strict: false })).toBe(context);
    });

    it('creates the core once, however many forFeature imports there are', () => {
      const cores = [...ref.get(ModulesContainer).values()].filter((m) => m.metatype?.name === 'TenancyCoreModule');
      expect(cores).toHaveLength(1);
    });

    it('has no request-scoped, transient or durable provider, controller or enhancer anywhere', () => {
      const offenders: string[] = [];
      for (const module of ref.get(ModulesContainer).values()) {
        if (module.metatype?.name === 'InternalCoreModule') continue; // Nest's own REQUEST and INQUIRER tokens
        const wrappers = [
          ...module.providers.values(),
          ...module.controllers.values(),
          ...module.injectables.values(),
          ...module.middlewares.values(),
        ];
        for (const wrapper of wrappers) {
          const scope = wrapper.scope ?? Scope.DEFAULT;
          if (scope !== Scope.DEFAULT || wrapper.durable || wrapper.isTransient || !wrapper.isDependencyTreeStatic()) {
            offenders.push(
              `${module.metatype?.name}/${String(wrapper.name)} scope=${scope} durable=${wrapper.durable}`,
            );
          }
        }
      }
      expect(offenders).toEqual([]);
    });
  });
});
