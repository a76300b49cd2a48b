import { EventEmitter } from 'node:events';
import { DataSource } from 'typeorm';
import { createTenantView, type PgClient, type ViewBinding } from './shared-pool-view';

/** A checked-out pg client: an EventEmitter whose queries we settle by hand. */
class FakeClient extends EventEmitter {
  pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  query(): Promise<unknown> {
    return new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

/**
 * Between pg-pool's idle listener (removed at checkout) and TypeORM's own (added once the
 * checkout resolves, removed before release), the view sends its scoping statements. A pg
 * client emits 'error' when its backend dies (pg_terminate_backend, failover, network): with
 * no listener that is an uncaught exception, and the process goes down.
 */
function viewOver(client: FakeClient, released: unknown[]) {
  const base = new DataSource({ type: 'postgres' });
  const driver = base.driver as unknown as { obtainMasterConnection(): Promise<[PgClient, (e?: unknown) => void]> };
  driver.obtainMasterConnection = async () => [
    client as unknown as PgClient,
    (e?: unknown) => void released.push(e ?? 'ok'),
  ];
  const binding: ViewBinding = {
    onCheckout: (c) => c.query('SET …') as Promise<void>,
    onRelease: (c) => c.query('RESET …') as Promise<void>,
  };
  const view = createTenantView(base, binding);
  return (view.driver as unknown as typeof driver).obtainMasterConnection();
}

const tick = () => new Promise((r) => setImmediate(r));
const killed = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('tenant view checkouts when the backend dies', () => {
  it('an error event while the scoping statement runs fails the checkout and discards the client, without throwing', async () => {
    const client = new FakeClient();
    const released: unknown[] = [];
    const checkout = viewOver(client, released);
    await tick();
    expect(() => client.emit('error', killed)).not.toThrow();
    client.pending[0].reject(killed);
    await expect(checkout).rejects.toBe(killed);
    expect(released).toEqual([killed]);
    expect(() => client.emit('error', new Error('Connection terminated unexpectedly'))).not.toThrow();
  });

  it('an error event after the scoping statement succeeded still fails the checkout', async () => {
    const client = new FakeClient();
    const released: unknown[] = [];
    const checkout = viewOver(client, released);
    await tick();
    client.emit('error', killed);
    client.pending[0].resolve();
    await expect(checkout).rejects.toBe(killed);
    expect(released).toEqual([killed]);
  });

  it('an error event while the reset runs on release discards the client, without throwing', async () => {
    const client = new FakeClient();
    const released: unknown[] = [];
    const checkout = viewOver(client, released);
    await tick();
    client.pending[0].resolve();
    const [, release] = await checkout;
    release();
    await tick();
    expect(() => client.emit('error', killed)).not.toThrow();
    client.pending[1].reject(killed);
    await tick();
    expect(released).toEqual([killed]);
  });

  it('a healthy checkout and release leave no listener behind', async () => {
    const client = new FakeClient();
    const released: unknown[] = [];
    const checkout = viewOver(client, released);
    await tick();
    client.pending[0].resolve();
    const [, release] = await checkout;
    expect(client.listenerCount('error')).toBe(0);
    release();
    await tick();
    client.pending[1].resolve();
    await tick();
    expect(released).toEqual(['ok']);
    expect(client.listenerCount('error')).toBe(0);
  });
});
