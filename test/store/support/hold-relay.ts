import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay (127.0.0.1:<port> → target) that can hold what the server sends back: while
 * `hold()` is on, replies are buffered (the requests still reach the server); `release()` sends
 * them on. Injects a delay exactly where a race needs one, without timers.
 */
export class HoldRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private held: Array<{ client: Socket; chunk: Buffer }> = [];
  private holding = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Replies received from now on are buffered. */
  hold(): void {
    this.holding = true;
  }

  /** Bytes of replies buffered so far. */
  get heldBytes(): number {
    return this.held.reduce((sum, h) => sum + h.chunk.length, 0);
  }

  /** Sends the buffered replies on, in order, and stops holding. */
  release(): void {
    this.holding = false;
    for (const { client, chunk } of this.held) if (!client.destroyed) client.write(chunk);
    this.held = [];
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (this.holding || this.held.length) this.held.push({ client, chunk });
      else client.write(chunk);
    });
  }
}
