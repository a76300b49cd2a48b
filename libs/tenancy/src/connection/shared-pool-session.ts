import type { DataSource } from 'typeorm';
import { guarded } from './checkout-guard.util';
import type { PgClient } from './shared-pool-view';

/** What a connection carries between checkouts (`ViewBinding.session`), and the statement that clears it. */
export interface SessionState {
  key: string;
  clear: string;
}

type Release = (err?: unknown) => void;

/** Session state a view left on a pooled connection (`ViewBinding.session`). */
export const carriedState = new WeakMap<PgClient, SessionState>();

export type Connect = (cb: (err: unknown, client: PgClient, release: Release) => void) => void;
interface PgPool {
  connect: Connect & ((cb?: unknown) => unknown);
}
/** The pools whose `connect` clears carried state, and their original `connect` (used by views). */
export const rawConnects = new WeakMap<object, Connect>();
export const sessionGuarded = new WeakSet<object>();

/** Sends the carried state's `clear` and forgets it. */
export function clearCarried(client: PgClient, carried: SessionState): Promise<void> {
  return client.query(carried.clear).then(() => {
    carriedState.delete(client);
  });
}

/**
 * Makes every checkout of `owner`'s pg pool that does not go through a tenant view (`connect`
 * with a callback or a promise, so `pool.query` too, and every DataSource borrowing the pool)
 * clear the session state a view left on the connection before it is handed out. Views check
 * out with the original `connect` and keep or replace the state themselves.
 */
export function guardSharedPool(owner: DataSource): void {
  const pool = (owner.driver as unknown as { master?: PgPool }).master;
  if (!pool || rawConnects.has(pool)) return;
  const connect = pool.connect as Connect;
  rawConnects.set(pool, connect);
  sessionGuarded.add(pool);
  pool.connect = ((cb?: (err: unknown, client?: PgClient, release?: Release) => void) => {
    const handed = new Promise<PgClient>((resolve, reject) => {
      connect.call(pool, (err, client, release) => {
        const done = (error?: unknown) => {
          if (error) return cb ? cb(error) : reject(error);
          if (cb) cb(undefined, client, release);
          else resolve(client);
        };
        if (err) return done(err);
        const carried = carriedState.get(client);
        if (!carried) return done();
        guarded(client, (c) => clearCarried(c, carried))!.then(
          () => done(),
          (error: unknown) => {
            release(error); // a connection that could not be cleared is destroyed
            done(error);
          },
        );
      });
    });
    if (cb) {
      void handed.catch(() => undefined);
      return undefined;
    }
    return handed;
  }) as PgPool['connect'];
}
