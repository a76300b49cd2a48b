import { Body, Controller, Get, Injectable, type INestApplication, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Column, Entity, PrimaryGeneratedColumn, type Repository } from 'typeorm';
import { getTenantRepositoryToken, InjectTenantRepository, TenancyModule, TenantStore } from 'nestjs-tenancy';
import {
  assertNoCrossTenantLeaks,
  CrossTenantLeakError,
  TenancyTestingModule,
  tenantHeaders,
} from 'nestjs-tenancy/testing';

@Entity('notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column() text!: string;
}

@Injectable()
class NotesService {
  constructor(@InjectTenantRepository(Note) private readonly notes: Repository<Note>) {}
  list(): Promise<Note[]> {
    return this.notes.find({ order: { id: 'ASC' } });
  }
  add(text: string): Promise<Note> {
    return this.notes.save(this.notes.create({ text }));
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly notes: NotesService) {}
  @Get() list() {
    return this.notes.list();
  }
  @Post() add(@Body() body: { text: string }) {
    return this.notes.add(body.text);
  }
}

@Module({ imports: [TenancyModule.forFeature([Note])], controllers: [NotesController], providers: [NotesService] })
class NotesModule {}

/** A bug on purpose: every note ever seeded, kept in a process-wide variable beside the tenant table. */
const everyNote: string[] = [];
@Controller('leaky')
class LeakyController {
  @Get() all() {
    return everyNote;
  }
}

/** Issue 16: `nestjs-tenancy/testing` for applications' own tests, with no database server. */
describe('TenancyTestingModule', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const ref = await Test.createTestingModule({
      imports: [TenancyTestingModule.forRoot({ tenants: ['acme', 'globex'] }), NotesModule],
      controllers: [LeakyController],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app?.close());

  it('registers the tenants at init, active, on a temporary SQLite file with the memory store', async () => {
    const store = app.get<TenantStore>(TenantStore);
    const tenants = await store.list();
    expect(tenants.map((t) => [t.identifier, t.status]).sort()).toEqual([
      ['acme', 'active'],
      ['globex', 'active'],
    ]);
  });

  it('serves @InjectTenantRepository per tenant; tenantHeaders sends the tenant', async () => {
    const server = app.getHttpServer();
    await request(server).post('/notes').set(tenantHeaders(app, 'acme')).send({ text: 'acme-only' }).expect(201);
    const acme = await request(server).get('/notes').set(tenantHeaders(app, 'acme')).expect(200);
    const globex = await request(server).get('/notes').set(tenantHeaders(app, 'globex')).expect(200);
    expect(acme.body.map((n: Note) => n.text)).toContain('acme-only');
    expect(globex.body.map((n: Note) => n.text)).not.toContain('acme-only');
    await request(server).get('/notes').expect(404); // no tenant: still fail-closed
  });

  it('assertNoCrossTenantLeaks passes on the tenant-scoped route', async () => {
    const notes = app.get(NotesService);
    await expect(
      assertNoCrossTenantLeaks(app, {
        tenants: ['acme', 'globex'],
        routes: ['/notes'],
        seed: (_tenant, marker) => notes.add(marker),
      }),
    ).resolves.toBeUndefined();
  });

  it('assertNoCrossTenantLeaks throws on a route that reads past the tenant, naming route and tenants', async () => {
    const notes = app.get(NotesService);
    const check = assertNoCrossTenantLeaks(app, {
      tenants: ['acme', 'globex'],
      routes: ['/notes', '/leaky'],
      seed: async (_tenant, marker) => {
        await notes.add(marker);
        everyNote.push(marker);
      },
    });
    await expect(check).rejects.toThrow(CrossTenantLeakError);
    await expect(check).rejects.toThrow(/GET \/leaky as tenant "acme" returned data seeded for tenant "globex"/);
  });

  it('assertNoCrossTenantLeaks refuses a check that proves nothing (routes never return seeded data)', async () => {
    await expect(
      assertNoCrossTenantLeaks(app, { tenants: ['acme', 'globex'], routes: ['/notes'], seed: () => undefined }),
    ).rejects.toThrow(/no route returned tenant "acme"'s own seeded data/);
  });

  it('assertNoCrossTenantLeaks refuses a failing route, naming it', async () => {
    await expect(
      assertNoCrossTenantLeaks(app, {
        tenants: ['acme', 'globex'],
        routes: ['/missing'],
        seed: () => undefined,
      }),
    ).rejects.toThrow(/GET \/missing as tenant "acme" answered 404/);
  });
});

/** The README's way to unit-test a service: replace its tenant repository by token. */
describe('mocking a tenant repository with getTenantRepositoryToken', () => {
  it('injects the mock where @InjectTenantRepository(Note) asks', async () => {
    const find = jest.fn().mockResolvedValue([{ id: 1, text: 'mocked' }]);
    const ref = await Test.createTestingModule({
      providers: [NotesService, { provide: getTenantRepositoryToken(Note), useValue: { find } }],
    }).compile();
    await expect(ref.get(NotesService).list()).resolves.toEqual([{ id: 1, text: 'mocked' }]);
    expect(find).toHaveBeenCalledTimes(1);
  });
});
