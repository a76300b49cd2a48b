import { Test } from '@nestjs/testing';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import { CliOutput } from './cli-output';
import { MigrateRunCommand } from './migrate-run.command';
import { TenancyCliModule } from './tenancy-cli.module';
import { TenantsDeleteCommand } from './tenants-delete.command';
import { TenantsListCommand } from './tenants-list.command';

class FakeTenancyCore {}

/** The CLI module with a fake admin service and captured output (no database). */
async function boot(admin: Partial<Record<keyof TenantAdminService, jest.Mock>>) {
  const out: string[] = [];
  const err: string[] = [];
  const output = {
    line: (l: string) => out.push(l),
    json: (v: unknown) => out.push(JSON.stringify(v)),
    error: (l: string) => err.push(l),
    progressStream: undefined,
  };
  const ref = await Test.createTestingModule({
    // The admin service comes from TenancyModule's global core in a real app.
    imports: [
      {
        module: FakeTenancyCore,
        global: true,
        providers: [{ provide: TenantAdminService, useValue: admin }],
        exports: [TenantAdminService],
      },
      TenancyCliModule,
    ],
  })
    .overrideProvider(CliOutput)
    .useValue(output)
    .compile();
  return { ref, out, err };
}

describe('TenancyCliModule commands (in process)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('tenants:list --status refuses an unknown status with exit code 1', async () => {
    const { ref, err } = await boot({ list: jest.fn() });
    await ref.get(TenantsListCommand).run([], { status: 'sleeping' });
    expect(err).toEqual(['Error: --status must be one of active, suspended, deleted, provisioning']);
    expect(process.exitCode).toBe(1);
  });

  it('tenants:delete --hard --yes passes hard: true; errors come out as JSON with --json', async () => {
    const tenant = { id: 'id-1', identifier: 'acme' };
    const del = jest.fn();
    const { ref, out } = await boot({ get: jest.fn().mockResolvedValue(tenant), delete: del });
    await ref.get(TenantsDeleteCommand).run(['acme'], { hard: true, yes: true, json: true } as never);
    expect(del).toHaveBeenCalledWith('id-1', { hard: true });
    expect(out).toEqual(['{"id":"id-1","identifier":"acme","deleted":"hard"}']);
    expect(process.exitCode).toBeUndefined();

    const missing = await boot({ get: jest.fn().mockRejectedValue(new TenantNotFoundError('zz')) });
    await missing.ref.get(TenantsDeleteCommand).run(['zz'], { json: true });
    expect(missing.out).toEqual(['{"error":"Tenant not found: \\"zz\\"","name":"TenantNotFoundError"}']);
    expect(process.exitCode).toBe(1);
  });

  it('migrate:run passes tenants and concurrency, and sets exit code 1 when a tenant failed', async () => {
    const migrate = jest.fn().mockResolvedValue({
      results: [{ tenant: 'a', status: 'failed', applied: [], durationMs: 1, error: 'x' }],
      failed: 1,
    });
    const { ref, out } = await boot({ migrate });
    const command = ref.get(MigrateRunCommand);
    await command.run([], { tenant: command.parseTenant('b', command.parseTenant('a,c')), concurrency: '3' });
    expect(migrate).toHaveBeenCalledWith(expect.objectContaining({ tenants: ['a', 'c', 'b'], concurrency: 3 }));
    expect(out.at(-1)).toBe('0 migrated, 1 failed, 0 skipped (1 tenants)');
    expect(process.exitCode).toBe(1);
  });

  it('migrate:run refuses a bad --concurrency before running anything', async () => {
    const migrate = jest.fn();
    const { ref, err } = await boot({ migrate });
    await ref.get(MigrateRunCommand).run([], { concurrency: 'many' });
    expect(migrate).not.toHaveBeenCalled();
    expect(err[0]).toMatch(/--concurrency must be a whole number/);
    expect(process.exitCode).toBe(1);
  });
});
