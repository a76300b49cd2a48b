import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** Where a trap starts holding the server's replies: a new connection, or a query containing a marker. */
type TrapAt = { kind: 'connection' } | { kind: 'query'; marker: Buffer };

interface Trap {
  at: TrapAt;
  settle: { resolve: (pid: number) => void; reject: (error: unknown) => void };
}

/**
 * A TCP proxy to PostgreSQL that puts a pg client in one exact state when its backend dies,
 * instead of hoping a `pg_terminate_backend` lands there. From the trap's start (a connection's
 * first byte, or the query carrying a marker), the server's replies are held; once they end
 * with ReadyForQuery the backend is killed (`kill(pid)`), and when the server has closed,
 * everything held reaches the client in ONE write: the client reads "ready" (or "query done")
 * and the FATAL 57P01 in the same chunk, synchronously, before any promise continuation runs.
 * That is what a loaded process sees when it is slow to read its sockets.
 */
export class PgTrapProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private traps: Trap[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private readonly kill: (pid: number) => Promise<void>,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Kills the backend of the next new connection as it becomes ready; resolves with its pid once delivered. */
  killNextConnectionAtReady(): Promise<number> {
    return this.arm({ kind: 'connection' });
  }

  /** Kills the backend that answers the next query containing `marker`, as it finishes; resolves once delivered. */
  killAfterQuery(marker: string): Promise<number> {
    return this.arm({ kind: 'query', marker: Buffer.from(marker) });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private arm(at: TrapAt): Promise<number> {
    return new Promise<number>((resolve, reject) => this.traps.push({ at, settle: { resolve, reject } }));
  }

  private claim(test: (at: TrapAt) => boolean): Trap | undefined {
    const i = this.traps.findIndex((t) => test(t.at));
    return i === -1 ? undefined : this.traps.splice(i, 1)[0];
  }

  private pipe(client: Socket): void {
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    let pid = 0;
    let pending = Buffer.alloc(0); // server bytes not yet framed into whole messages
    let trap = this.claim((at) => at.kind === 'connection');
    let held: Buffer[] = [];
    let killing = false;
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => this.sockets.delete(s));
    }
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      const queryTrap = !trap && this.claim((at) => at.kind === 'query' && chunk.includes(at.marker));
      if (queryTrap) {
        trap = queryTrap;
        held = [];
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      let readyAtEnd = false;
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        const type = String.fromCharCode(pending[0]);
        if (type === 'K') pid = pending.readInt32BE(5);
        readyAtEnd = type === 'Z';
        pending = pending.subarray(1 + pending.readInt32BE(1));
      }
      if (!trap) return void client.write(chunk);
      held.push(chunk);
      if (readyAtEnd && !killing) {
        killing = true;
        this.kill(pid).catch((error: unknown) => trap?.settle.reject(error));
      }
    });
    upstream.on('close', () => {
      if (trap) client.end(Buffer.concat(held), () => trap!.settle.resolve(pid));
      else client.end();
    });
  }
}
