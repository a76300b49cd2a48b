import type { ArgumentsHost } from '@nestjs/common';
import { rpcMetadataRequest, wsHandshakeRequest } from './transport-request.util';

const rpc = (data: unknown, context: unknown) =>
  ({ getData: () => data, getContext: () => context }) as unknown as ReturnType<ArgumentsHost['switchToRpc']>;
const ws = (client: unknown) => ({ getClient: () => client }) as unknown as ReturnType<ArgumentsHost['switchToWs']>;

describe('rpcMetadataRequest', () => {
  it.each<[string, unknown, unknown, unknown]>([
    ['payload tenantId', { tenantId: 'acme' }, {}, 'acme'],
    ['payload header key', { 'x-tenant-id': 'acme' }, {}, 'acme'],
    ['tenantId before the header key', { tenantId: 'acme', 'x-tenant-id': 'evil' }, {}, 'acme'],
    ['payload before the transport headers', { tenantId: 'acme' }, { 'x-tenant-id': 'evil' }, 'acme'],
    [
      'NATS getHeaders() (answers "" when absent)',
      null,
      { getHeaders: () => ({ get: (k: string) => (k === 'x-tenant-id' ? 'acme' : '') }) },
      'acme',
    ],
    ['NATS getHeaders() without the key', null, { getHeaders: () => ({ get: () => '' }) }, undefined],
    [
      'Kafka Buffer header',
      'text',
      { getMessage: () => ({ headers: { 'x-tenant-id': Buffer.from('acme') } }) },
      'acme',
    ],
    [
      'RabbitMQ properties.headers',
      7,
      { getMessage: () => ({ properties: { headers: { 'x-tenant-id': 'acme' } } }) },
      'acme',
    ],
    ['gRPC Metadata (array)', {}, { get: (k: string) => (k === 'x-tenant-id' ? ['acme'] : []) }, 'acme'],
    ['gRPC Metadata with two values (kept, refused later)', {}, { get: () => ['a', 'b'] }, ['a', 'b']],
    ['a non-string value (kept, refused later)', { tenantId: 42 }, {}, 42],
    ['nothing', { order: 1 }, undefined, undefined],
  ])('%s', (_name, data, context, expected) => {
    expect(rpcMetadataRequest(rpc(data, context), 'X-Tenant-ID').headers['x-tenant-id']).toEqual(expected);
  });

  it('follows a custom tenantHeaderName', () => {
    expect(rpcMetadataRequest(rpc({ 'x-org': 'acme' }, {}), 'X-Org').headers).toEqual({ 'x-org': 'acme' });
  });
});

describe('wsHandshakeRequest', () => {
  it('exposes the Socket.IO handshake headers and url', () => {
    const client = {
      handshake: { headers: { 'x-tenant-id': 'acme', host: 'acme.example.com' }, url: '/socket.io/?EIO=4' },
    };
    expect(wsHandshakeRequest(ws(client))).toEqual({ headers: client.handshake.headers, url: '/socket.io/?EIO=4' });
  });

  it.each([[{}], [null], [{ handshake: { headers: 'nope' } }]])(
    'gives no headers without a handshake (%p)',
    (client) => {
      expect(wsHandshakeRequest(ws(client)).headers).toEqual({});
    },
  );
});
