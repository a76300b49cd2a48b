import { request as httpRequest } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { type AdapterName, createTenancyTestApp, seededStore } from './support/tenancy-test-app';

const UNIFORM_404 = '{"statusCode":404,"message":"Tenant not found"}';

/** GET /whoami from `localAddress` (Linux answers for all of 127.0.0.0/8), with these headers. */
function get(port: number, localAddress: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/whoami', localAddress, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * `trustProxy` reads `X-Forwarded-Host` only from the addresses in `trustedProxies` (issue 14):
 * the app sees 127.0.0.1 as its proxy and 127.0.0.2 as a client that reached it directly.
 */
describe.each<AdapterName>(['express', 'fastify'])('trustedProxies over HTTP (%s)', (adapter) => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    app = await createTenancyTestApp(
      adapter,
      {
        resolutionStrategy: 'subdomain',
        domainSuffix: 'example.test',
        trustProxy: true,
        trustedProxies: ['127.0.0.1'],
      },
      await seededStore(),
    );
    await app.listen(0, '127.0.0.1');
    port = Number(new URL(await app.getUrl()).port);
  });
  afterAll(() => app?.close());

  const forwarded = { host: 'example.test', 'x-forwarded-host': 'acme.example.test' };

  it('reads X-Forwarded-Host from a trusted proxy', async () => {
    const res = await get(port, '127.0.0.1', forwarded);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ decorator: 'acme', context: 'acme' });
  });

  it('ignores X-Forwarded-Host from any other sender (the Host decides)', async () => {
    expect(await get(port, '127.0.0.2', forwarded)).toEqual({ status: 404, body: UNIFORM_404 });
    const res = await get(port, '127.0.0.2', { host: 'globex.example.test', 'x-forwarded-host': 'acme.example.test' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ decorator: 'globex' });
  });

  it('refuses a forwarded list (a proxy that appends would put the client-sent host first)', async () => {
    const res = await get(port, '127.0.0.1', {
      host: 'example.test',
      'x-forwarded-host': 'acme.example.test, globex.example.test',
    });
    expect(res).toEqual({ status: 404, body: UNIFORM_404 });
  });
});
