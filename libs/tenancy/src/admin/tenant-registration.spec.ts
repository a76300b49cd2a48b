import { Logger } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenantAlreadyExistsError } from '../errors/tenant-already-exists.error';
import { TenantProvisioningError } from '../errors/tenant-provisioning.error';
import type { Tenant } from '../models/tenant.model';
import { InMemoryTenantStore } from '../store/in-memory-tenant.store';
import { TenantFieldCrypto } from './tenant-field-crypto';
import { TenantRegistration } from './tenant-registration';

type Step = 'createStorage' | 'migrate' | 'dropStorage';

/** A provisioner that records calls and fails where told. */
function fakeProvisioner(failAt?: Step) {
  const calls: string[] = [];
  const step = (name: Step) => async (t: Tenant) => {
    calls.push(`${name}:${t.identifier}`);
    if (name === failAt) throw new Error(`${name} broke`);
    return [];
  };
  return {
    calls,
    createStorage: step('createStorage'),
    migrate: step('migrate'),
    dropStorage: step('dropStorage'),
    schemaName: (t: Tenant) => `t_${t.identifier}`,
  };
}

function setup(
  opts: { failAt?: Step; maxTenants?: number; isolationStrategy?: 'schema' | 'rls'; store?: InMemoryTenantStore } = {},
) {
  const store = opts.store ?? new InMemoryTenantStore();
  const provisioner = fakeProvisioner(opts.failAt);
  const evicted: string[] = [];
  const options = {
    isolationStrategy: opts.isolationStrategy ?? 'schema',
    premiumTenants: [],
    maxTenants: opts.maxTenants ?? 0,
  } as unknown as ResolvedTenancyOptions;
  const registration = new TenantRegistration(
    options,
    store,
    provisioner as never,
    { databaseName: () => 'x' } as never,
    { evict: (id: string) => evicted.push(id), entityList: [class Widget {}] } as never,
    new TenantFieldCrypto(null),
    { inspect: async () => 'none', label: () => 'schema' } as never,
  );
  return { registration, store, provisioner, evicted };
}

describe('TenantRegistration', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('creates storage, migrates, then activates', async () => {
    const { registration, store, provisioner } = setup();
    const tenant = await registration.register({ identifier: 'acme', name: 'Acme' });
    expect(tenant.status).toBe('active');
    expect(provisioner.calls).toEqual(['createStorage:acme', 'migrate:acme']);
    expect(await store.count()).toBe(1);
  });

  it.each<[Step, string]>([
    ['createStorage', 'create_storage'],
    ['migrate', 'migrate'],
  ])('a failing %s drops the storage and the row, and names step %s', async (failAt, step) => {
    const { registration, store, provisioner, evicted } = setup({ failAt });
    const error = (await registration
      .register({ identifier: 'acme', name: 'A' })
      .catch((e: unknown) => e)) as TenantProvisioningError;
    expect(error).toBeInstanceOf(TenantProvisioningError);
    expect(error.step).toBe(step);
    expect(error.cause).toEqual(new Error(`${failAt} broke`));
    expect(provisioner.calls.at(-1)).toBe('dropStorage:acme');
    expect(await store.count()).toBe(0);
    expect(evicted).toHaveLength(1);
  });

  it('a failing rollback is logged, and the original failure is still thrown', async () => {
    const store = new InMemoryTenantStore();
    const { registration } = setup({ failAt: 'migrate', store });
    const provisioner = (registration as unknown as { provisioner: ReturnType<typeof fakeProvisioner> }).provisioner;
    provisioner.dropStorage = async () => {
      throw new Error('drop refused');
    };
    await expect(registration.register({ identifier: 'acme', name: 'A' })).rejects.toMatchObject({ step: 'migrate' });
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.stringMatching(/could not drop its storage: drop refused/),
    );
    expect(await store.count()).toBe(0); // the row is still removed
  });

  it('RLS tenants own no storage: a rollback only deletes the row', async () => {
    const { registration, provisioner, store } = setup({ failAt: 'migrate', isolationStrategy: 'rls' });
    await expect(registration.register({ identifier: 'acme', name: 'A' })).rejects.toMatchObject({ step: 'migrate' });
    expect(provisioner.calls).toEqual(['createStorage:acme', 'migrate:acme']);
    expect(await store.count()).toBe(0);
  });

  it('losing the race for an identifier throws TenantAlreadyExistsError and touches nothing', async () => {
    const { registration, store, provisioner } = setup();
    const winner = await store.create({
      identifier: 'acme',
      name: 'W',
      isolationStrategy: 'schema',
      status: 'provisioning',
    });
    await expect(registration.register({ identifier: 'acme', name: 'L' })).rejects.toBeInstanceOf(
      TenantAlreadyExistsError,
    );
    expect(provisioner.calls).toEqual([]);
    expect(await store.getById(winner.id)).toMatchObject({ name: 'W', status: 'provisioning' });
  });

  it('maxTenants: refused at reserve; deleted tenants do not count', async () => {
    const { registration, store } = setup({ maxTenants: 1 });
    const first = await registration.register({ identifier: 'one', name: '1' });
    await expect(registration.register({ identifier: 'two', name: '2' })).rejects.toMatchObject({ step: 'reserve' });
    await store.setStatus(first.id, 'deleted');
    expect((await registration.register({ identifier: 'two', name: '2' })).status).toBe('active');
  });

  it('maxTenants: concurrent registrations of different identifiers never exceed the limit', async () => {
    const { registration, store } = setup({ maxTenants: 2 });
    const outcomes = await Promise.allSettled(
      ['a-1', 'a-2', 'a-3', 'a-4'].map((identifier) => registration.register({ identifier, name: identifier })),
    );
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    expect(refused.map((o) => o.reason)).toEqual([
      expect.objectContaining({ step: 'reserve' }),
      expect.objectContaining({ step: 'reserve' }),
    ]);
    expect(await store.count()).toBe(2);
    expect((await store.list({ status: 'active' })).length).toBe(2);
  });
});
