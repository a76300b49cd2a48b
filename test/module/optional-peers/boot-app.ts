// Child process of optional-peers.spec.ts: boots a plain Nest app with the library (SQLite, in-memory
// store, header resolution) plus the options in TENANCY_TEST_OPTIONS (JSON), registers a tenant,
// serves one request for it and prints one JSON line: { status, body } or { error }.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Column, Entity, PrimaryGeneratedColumn, type Repository } from 'typeorm';
import { CurrentTenant, InjectTenantRepository, TenancyModule, TenantAdminService, type Tenant } from 'nestjs-tenancy';

@Entity('notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column() text!: string;
}

@Injectable()
class Notes {
  constructor(@InjectTenantRepository(Note) private readonly notes: Repository<Note>) {}
  async list(): Promise<string[]> {
    if ((await this.notes.count()) === 0) await this.notes.save({ text: 'hello' });
    return (await this.notes.find()).map((n) => n.text);
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly notes: Notes) {}
  @Get() async list(@CurrentTenant() tenant: Tenant) {
    return { tenant: tenant.identifier, notes: await this.notes.list() };
  }
}

async function main(): Promise<void> {
  const extra = JSON.parse(process.env.TENANCY_TEST_OPTIONS ?? '{}') as object;
  @Module({
    imports: [
      TenancyModule.forRoot({
        databaseUrl: `sqlite:${process.env.TENANCY_TEST_SQLITE_FILE}`,
        store: 'memory',
        ...extra,
      }),
      TenancyModule.forFeature([Note]),
    ],
    controllers: [NotesController],
    providers: [Notes],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  try {
    await app.listen(0, '127.0.0.1');
    await app.get(TenantAdminService).register({ identifier: 'acme', name: 'Acme' });
    const res = await fetch(`${await app.getUrl()}/notes`, { headers: { 'x-tenant-id': 'acme' } });
    console.log(JSON.stringify({ status: res.status, body: await res.json() }));
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.log(JSON.stringify({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
});
