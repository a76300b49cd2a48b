import { Body, Controller, Delete, Get, Injectable, Module, Param, Post } from '@nestjs/common';
import {
  BaseEntity,
  Column,
  Entity,
  Index,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  type DataSource,
  type EntityManager,
  type Repository,
} from 'typeorm';
import {
  InjectTenantDataSource,
  InjectTenantEntityManager,
  InjectTenantRepository,
  TenantConnectionManager,
  TenancyModule,
  TenantScopedEntity,
  type TenancyModuleOptions,
} from 'nestjs-tenancy';

/** Active record: `Memo.find()`, `memo.save()` must act for the current tenant (issue 11 item 6). */
@Entity('ar_memos')
export class Memo extends BaseEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
  // Declared by hand (not TenantScopedEntity): an active-record entity extends BaseEntity.
  @Index() @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true }) tenantId!: string | null;
}

/** Lazy relations (Promise-typed) both ways (issue 11 item 7). */
@Entity('lz_clients')
export class Client extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @OneToMany(() => Invoice, (i) => i.client, { lazy: true }) invoices!: Promise<Invoice[]>;
}

@Entity('lz_invoices')
export class Invoice extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
  @ManyToOne(() => Client, (c) => c.invoices, { lazy: true, nullable: true }) client!: Promise<Client | null>;
}

export const ENTITIES = [Memo, Client, Invoice];

/**
 * `new Invoice()` whose lazy `client` is the prototype's getter (TypeORM installs one per
 * DataSource built: the last one wins). Compiled with class fields defined (as here), the
 * instance's own `client` field hides that getter; it is removed to act as `tsc` without
 * `useDefineForClassFields` does.
 */
export function constructedInvoice(id: number): Invoice {
  const invoice = Object.assign(new Invoice(), { id });
  delete (invoice as Partial<Invoice>).client;
  return invoice;
}

@Injectable()
export class EntityPathsService {
  constructor(
    @InjectTenantRepository(Client) readonly clients: Repository<Client>,
    @InjectTenantRepository(Invoice) readonly invoices: Repository<Invoice>,
    @InjectTenantEntityManager() readonly em: EntityManager,
    @InjectTenantDataSource() readonly ds: DataSource,
    readonly connections: TenantConnectionManager,
  ) {}

  /** Seeds one client with two invoices; returns their ids. */
  async seed(name: string): Promise<{ client: number; invoices: number[] }> {
    const client = await this.clients.save(this.clients.create({ name }));
    const invoices: number[] = [];
    for (const label of [`${name}-1`, `${name}-2`]) {
      const invoice = this.invoices.create({ label });
      invoice.client = client as never; // a lazy relation takes the plain value too
      invoices.push((await this.invoices.save(invoice)).id);
    }
    return { client: client.id, invoices };
  }
}

/** The lazy-relation paths of a plain Nest app, one route each. */
@Controller('lazy')
export class LazyController {
  constructor(private readonly service: EntityPathsService) {}
  @Post('seed') seed(@Body() body: { name: string }) {
    return this.service.seed(body.name);
  }
  /** An invoice loaded by a find, then `await invoice.client`. */
  @Get('invoices/:id/client') async clientOf(@Param('id') id: string) {
    const invoice = await this.service.invoices.findOneByOrFail({ id: Number(id) });
    return { client: (await invoice.client)?.name ?? null };
  }
  @Get('clients/:id/invoices') async invoicesOf(@Param('id') id: string) {
    const client = await this.service.clients.findOneByOrFail({ id: Number(id) });
    return { invoices: (await client.invoices).map((i) => i.label).sort() };
  }
  /** An entity TypeORM did not load: `repository.create()` and `new Invoice()`. */
  @Get('created/:id/client') async createdClient(@Param('id') id: string) {
    const created = this.service.invoices.create({ id: Number(id) });
    const constructed = constructedInvoice(Number(id));
    return { created: (await created.client)?.name ?? null, constructed: (await constructed.client)?.name ?? null };
  }
  /** RelationQueryBuilder: loadOne / loadMany. */
  @Get('rqb/:invoice/:client') async rqb(@Param('invoice') invoice: string, @Param('client') client: string) {
    const one = await this.service.em
      .createQueryBuilder()
      .relation(Invoice, 'client')
      .of(Number(invoice))
      .loadOne<Client>();
    const many = await this.service.em
      .createQueryBuilder()
      .relation(Client, 'invoices')
      .of(Number(client))
      .loadMany<Invoice>();
    return { one: one?.name ?? null, many: many.map((i) => i.label).sort() };
  }
}

/** Active record through HTTP: static and instance methods. */
@Controller('memos')
export class MemosController {
  @Get() async list() {
    return (await Memo.find({ order: { id: 'ASC' } })).map((m) => m.body);
  }
  @Get('qb') async viaBuilder() {
    return (await Memo.createQueryBuilder('m').orderBy('m.id').getMany()).map((m) => m.body);
  }
  @Post() async create(@Body() body: { body: string }) {
    const memo = Memo.create({ body: body.body });
    await memo.save();
    return { id: memo.id };
  }
  @Post('static') async createStatic(@Body() body: { body: string }) {
    return { id: (await Memo.save(Memo.create({ body: body.body }))).id };
  }
  @Delete(':id') async remove(@Param('id') id: string) {
    const memo = await Memo.findOneBy({ id: Number(id) });
    if (!memo) return { removed: false };
    await memo.remove();
    return { removed: true };
  }
}

export function entityPathsModule(options: TenancyModuleOptions): new () => unknown {
  @Module({
    imports: [TenancyModule.forRoot(options), TenancyModule.forFeature(ENTITIES)],
    controllers: [LazyController, MemosController],
    providers: [EntityPathsService],
  })
  class EntityPathsModule {}
  return EntityPathsModule;
}
