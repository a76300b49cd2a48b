import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP listener that accepts every connection and never answers (a database host that hangs
 * after the handshake: a dead VM behind a live load balancer, a full accept queue behind NAT).
 */
export class BlackHole {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted so far. */
  accepted = 0;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
