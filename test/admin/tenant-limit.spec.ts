import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { TenantProvisioningError } from 'nestjs-tenancy';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { bootAdmin, physical, schemaExists, tenantRows, type AdminApp } from './support/admin-app';
import { CreateLedger1700000000201, Gate1700000000206 } from './support/guarantee-migrations';

describeWith('postgres', 'registration status and maxTenants under concurrency (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let apps: AdminApp[] = [];
  const boot = async (extra: Partial<TenancyModuleOptions> = {}) => {
    const app = await bootAdmin({
      databaseUrl: db.url,
      isolationStrategy: 'schema',
      schemaPrefix: 'tl_',
      migrations: [CreateLedger1700000000201, Gate1700000000206],
      poolSize: 4,
      cacheEnabled: false,
      ...extra,
    });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    Gate1700000000206.open();
    for (const t of (await apps[0]?.admin.list()) ?? []) await apps[0].admin.delete(t.id, { hard: true });
    for (const app of apps) await app.close();
    apps = [];
  });
  const live = async () =>
    Number((await pgAdmin(db.url, "SELECT count(*) AS n FROM public.tenants WHERE status <> 'deleted'"))[0].n);

  it('a tenant deleted while provisioning is not activated when its registration finishes: it is rolled back', async () => {
    const app = await boot();
    Gate1700000000206.close();
    const outcome = app.admin.register({ identifier: 'late-co', name: 'Late' }).then(
      (tenant) => tenant,
      (error: unknown) => error,
    );
    await Gate1700000000206.entered;
    await app.admin.delete('late-co');
    Gate1700000000206.open();
    const error = await outcome;
    expect(error).toBeInstanceOf(TenantProvisioningError);
    expect(error).toMatchObject({ step: 'activate', message: expect.stringMatching(/deleted/) });
    // Never served: the registration rolled back what it created, as for any failed step.
    expect(await tenantRows(db.url, 'late-co')).toEqual([]);
    expect(await schemaExists(db.url, physical('tl_', 'late-co'))).toBe(false);
  });

  it('activate() (and update({ status })) of a soft-deleted tenant respects maxTenants', async () => {
    const app = await boot({ maxTenants: 2 });
    const a = await app.admin.register({ identifier: 'lim-a', name: 'A' });
    const b = await app.admin.register({ identifier: 'lim-b', name: 'B' });
    await app.admin.delete(a.id);
    await app.admin.register({ identifier: 'lim-c', name: 'C' });
    await expect(app.admin.activate(a.id)).rejects.toThrow(/maxTenants = 2/);
    await expect(app.admin.update(a.id, { status: 'active' })).rejects.toThrow(/maxTenants = 2/);
    expect((await tenantRows(db.url, 'lim-a'))[0].status).toBe('deleted');
    expect(await live()).toBe(2);
    // Suspended tenants count; activating one that is already counted needs no room.
    await app.admin.suspend(b.id);
    expect(await app.admin.activate(b.id)).toMatchObject({ status: 'active' });
    await app.admin.delete(b.id);
    expect(await app.admin.activate(a.id)).toMatchObject({ status: 'active' });
  });

  it('with one place left, concurrent registrations on two instances: exactly one wins, every round', async () => {
    const pair = [await boot({ maxTenants: 3 }), await boot({ maxTenants: 3 })];
    await pair[0].admin.register({ identifier: 'seat-a', name: 'A' });
    await pair[1].admin.register({ identifier: 'seat-b', name: 'B' });
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) =>
          pair[i % 2].admin.register({ identifier: `race-${round}-${i}`, name: 'R' }),
        ),
      );
      const won = outcomes.filter((o): o is PromiseFulfilledResult<never> => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const l of lost)
        expect(l.reason).toMatchObject({ step: 'reserve', message: expect.stringMatching(/maxTenants/) });
      expect(await live()).toBe(3);
      await pair[round % 2].admin.delete((won[0].value as { id: string }).id, { hard: true });
    }
  }, 60_000);
});
