/** What the hook needs of a pg client. */
interface PgPoolClient {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  end(): unknown;
}

type OnConnect = ((client: PgPoolClient) => unknown) & { [LISTENS]?: true };
const LISTENS = Symbol('tenancy.pgClientErrorListener');

/**
 * @internal pg-pool options (TypeORM's `extra`) whose every new client keeps an 'error' listener
 * for life; a caller's own `onConnect` still runs after it.
 *
 * A pg client emits 'error' when its backend dies (pg_terminate_backend, failover, network);
 * with no listener at that moment the process goes down. pg-pool and TypeORM each listen only
 * part of the time: pg-pool's idle listener comes off synchronously as a new connection becomes
 * ready, so a FATAL read in the same chunk as that ReadyForQuery had no listener at all, and
 * TypeORM's `afterConnect` runs its extension queries on a client nobody listens to. The client
 * that errored is ended here (pg also marks it unqueryable), so pg-pool discards it on release
 * and whoever holds it gets a failed query, never a dead connection reused. Through `onConnect`,
 * pg-pool also hands a new client out only after its first read has been handled.
 */
export function withPgClientErrorListener(extra: unknown): Record<string, unknown> {
  const given = (extra ?? {}) as { onConnect?: OnConnect };
  if (given.onConnect?.[LISTENS]) return given;
  const own = given.onConnect;
  const onConnect: OnConnect = (client) => {
    client.on('error', () => void client.end());
    return own?.(client);
  };
  onConnect[LISTENS] = true;
  return { ...given, onConnect };
}
