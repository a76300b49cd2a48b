import http from 'node:http';

/** One request with the tenant header; resolves with the status and the body text. */
export function send(
  port: number,
  agent: http.Agent,
  tenant: string,
  request: { method: string; path: string; body?: object },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = request.body ? JSON.stringify(request.body) : undefined;
    const headers: Record<string, string> = { 'X-Tenant-ID': tenant };
    if (payload) headers['content-type'] = 'application/json';
    if (payload) headers['content-length'] = String(Buffer.byteLength(payload));
    const req = http.request(
      { host: '127.0.0.1', port, method: request.method, path: request.path, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A client that sends a request on its own connection and goes away `afterMs` later. */
export function abortMidRequest(port: number, tenant: string, path: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, headers: { 'X-Tenant-ID': tenant } });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}
