import {
  Column,
  DataSource,
  Entity,
  ManyToOne,
  PrimaryGeneratedColumn,
  type DataSourceOptions,
  type EntityManager,
  type QueryRunner,
} from 'typeorm';
import { RelationLoader } from 'typeorm/query-builder/RelationLoader';
import { TenantContextMissingError } from '../errors/tenant-context-missing.error';
import { TenantRelationLoader, useTenantRelationLoader } from './tenant-relation.loader';

@Entity('pin_owners')
class PinOwner {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('pin_pets')
class PinPet {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @ManyToOne(() => PinOwner, { lazy: true }) owner!: Promise<PinOwner>;
}

const options = { type: 'better-sqlite3', database: ':memory:', entities: [PinOwner, PinPet] } as DataSourceOptions;
const missing = (): EntityManager => {
  throw new TenantContextMissingError('A lazy relation');
};

async function built(ds: DataSource): Promise<DataSource> {
  await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return ds;
}

/** Pins the TypeORM 1.x internals the tenant relation loader relies on (no server needed). */
describe('tenant relation loader on TypeORM internals', () => {
  it('a DataSource owns a RelationLoader that builds the lazy getters of the entity prototypes', async () => {
    const ds = new DataSource(options);
    expect(ds.relationLoader).toBeInstanceOf(RelationLoader);
    useTenantRelationLoader(ds, missing);
    const enable = jest.spyOn(ds.relationLoader, 'enableLazyLoad');
    await built(ds);
    expect(enable).toHaveBeenCalledWith(ds.getMetadata(PinPet).relations[0], PinPet.prototype);
    expect(Object.getOwnPropertyDescriptor(PinPet.prototype, 'owner')?.get).toBeInstanceOf(Function);
  });

  it('an entity TypeORM creates gets its own getter from the metadata DataSource’s loader, with the runner', async () => {
    const ds = useTenantRelationLoader(new DataSource(options), missing);
    await built(ds);
    const enable = jest.spyOn(ds.relationLoader, 'enableLazyLoad');
    const runner = { connection: ds } as unknown as QueryRunner;
    const pet = ds.getMetadata(PinPet).create(runner) as PinPet;
    expect(enable).toHaveBeenCalledWith(ds.getMetadata(PinPet).relations[0], pet, runner);
  });

  it('RelationQueryBuilder loads through dataSource.relationLoader.load(relation, of, runner)', async () => {
    const ds = useTenantRelationLoader(new DataSource(options), missing);
    await built(ds);
    const load = jest.spyOn(ds.relationLoader, 'load').mockResolvedValue([]);
    await ds.createQueryBuilder().relation(PinPet, 'owner').of(1).loadOne();
    expect(load).toHaveBeenCalledWith(ds.getMetadata(PinPet).relations[0], { id: 1 }, undefined);
  });

  it('outside a tenant a lazy load rejects with TenantContextMissingError and nothing is left unhandled', async () => {
    const ds = useTenantRelationLoader(new DataSource(options), missing);
    await built(ds);
    expect(ds.relationLoader).toBeInstanceOf(TenantRelationLoader);
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const pet = Object.assign(Object.create(PinPet.prototype) as PinPet, { id: 1 });
      await expect(pet.owner).rejects.toThrow(TenantContextMissingError);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
