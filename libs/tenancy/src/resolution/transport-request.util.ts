import type { ArgumentsHost, ExecutionContext } from '@nestjs/common';
import type { TenancyRequest } from './tenant-resolver.interface';

type WsArgumentsHost = ReturnType<ArgumentsHost['switchToWs']>;
type RpcArgumentsHost = ReturnType<ArgumentsHost['switchToRpc']>;

/**
 * @internal The request resolvers read for any context: the HTTP request, the WebSocket
 * handshake, RPC message metadata, or (GraphQL, `[root, args, context, info]`) `context.req`.
 */
export function tenancyRequestOf(context: ExecutionContext, tenantHeaderName: string): TenancyRequest {
  const type = context.getType<string>();
  if (type === 'ws') return wsHandshakeRequest(context.switchToWs());
  if (type === 'rpc') return rpcMetadataRequest(context.switchToRpc(), tenantHeaderName);
  const request =
    type === 'graphql' ? field(context.getArgByIndex(2), 'req') : context.switchToHttp().getRequest<unknown>();
  return isRecord(request) ? (request as unknown as TenancyRequest) : { headers: {} };
}

/**
 * @internal A WebSocket connection as a request: the Socket.IO handshake (`client.handshake`
 * with `headers` and `url`), so the configured resolvers (header, subdomain, path, JWT) read the
 * handshake exactly as they read an HTTP request. Clients without a handshake give no headers.
 */
export function wsHandshakeRequest(ws: WsArgumentsHost): TenancyRequest {
  const handshake = field(ws.getClient(), 'handshake');
  const headers = field(handshake, 'headers');
  const url = field(handshake, 'url');
  return {
    headers: isRecord(headers) ? (headers as TenancyRequest['headers']) : {},
    url: typeof url === 'string' ? url : undefined,
  };
}

/**
 * @internal An RPC message as a request whose only header is the tenant header, taken from the
 * first place that has it: the payload's `tenantId` field, the payload's `<tenantHeaderName>`
 * key (lowercase, `x-tenant-id` by default), then the transport context's headers
 * (`getHeaders()` on NATS/MQTT-style contexts, `getMessage().headers` on Kafka,
 * `getMessage().properties.headers` on RabbitMQ, gRPC `Metadata`). Values are not trusted:
 * the guard validates them like any other identifier.
 */
export function rpcMetadataRequest(rpc: RpcArgumentsHost, headerName: string): TenancyRequest {
  const name = headerName.toLowerCase();
  const data = rpc.getData<unknown>();
  const context = rpc.getContext<unknown>();
  const message = call(context, 'getMessage');
  const sources = [
    call(context, 'getHeaders'),
    field(message, 'headers'),
    field(field(message, 'properties'), 'headers'),
    context,
  ];
  let value = field(data, 'tenantId') ?? field(data, name);
  for (const source of sources) value ??= headerOf(source, name);
  if (Buffer.isBuffer(value)) value = value.toString('utf8'); // Kafka header values
  if (Array.isArray(value) && value.length === 1) value = value[0]; // gRPC Metadata.get()
  return { headers: value === undefined || value === null ? {} : { [name]: value as string } };
}

function headerOf(source: unknown, name: string): unknown {
  const getter = field(source, 'get');
  if (typeof getter === 'function') {
    const value: unknown = getter.call(source, name);
    // NATS answers '' and gRPC [] for a missing key.
    return value === '' || (Array.isArray(value) && value.length === 0) ? undefined : value;
  }
  return field(source, name);
}

function field(source: unknown, key: string): unknown {
  return isRecord(source) ? source[key] : undefined;
}

function call(source: unknown, method: string): unknown {
  const fn = field(source, method);
  return typeof fn === 'function' ? (fn as () => unknown).call(source) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}
