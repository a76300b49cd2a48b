import type { PgClient } from './shared-pool-view';

/**
 * Runs `work` on a checked-out client with an 'error' listener. Between pg-pool's idle listener
 * (removed at checkout) and TypeORM's (added after the checkout, removed before release) nobody
 * listens, and a client whose backend dies (pg_terminate_backend, failover) emits 'error':
 * unheard, that crashes the process. A client that errored keeps the listener (it is being
 * discarded and may emit again) and the work fails with the error.
 */
export function guarded(client: PgClient, work: (client: PgClient) => Promise<void> | void): Promise<void> | undefined {
  let failure: { error: unknown } | undefined;
  const onError = (error: unknown) => (failure ??= { error });
  client.on?.('error', onError);
  let pending: Promise<void> | void;
  try {
    pending = work(client);
  } catch (error) {
    pending = Promise.reject(error);
  }
  if (!pending) {
    // Nothing was sent (an unscoped schema-view connection): no promise, no deferred release.
    client.removeListener?.('error', onError);
    return undefined;
  }
  return pending.then(
    () => {
      if (failure) throw failure.error;
      client.removeListener?.('error', onError);
    },
    (error: unknown) => {
      throw (failure ??= { error }).error;
    },
  );
}
