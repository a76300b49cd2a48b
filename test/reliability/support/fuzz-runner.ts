import { type INestApplication, NotFoundException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import fc from 'fast-check';
import { createConnection } from 'node:net';
import { TenancyGuard } from 'nestjs-tenancy';
import { bindScopeToRequest } from '../../../libs/tenancy/src/context/request-scope.util';
import { openScope } from '../../../libs/tenancy/src/context/tenant-context';
import { TenancyScope } from '../../../libs/tenancy/src/context/tenancy-scope';
import { createTenancyTestApp, seededStore, type AdapterName } from '../../resolution/support/tenancy-test-app';
import { ACTIVE, type FuzzRequest, type FuzzStrategy } from './fuzz-requests';

/**
 * The resolution fuzz properties, shared by the spec (npm test) and the long soak: the guard
 * answers a tenant only when the request really names an active one, else the exact uniform
 * 404, and never anything else (an unexpected error would be a 500).
 */
const UNIFORM_404 = '{"statusCode":404,"message":"Tenant not found"}';
const NOT_FOUND = { statusCode: 404, message: 'Tenant not found' };

class Probe {
  whoami() {}
}

/** The request a resolver gets from Node: lower-case names, repeated headers as arrays. */
function handBuilt(r: FuzzRequest) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of r.headers) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { headers, url: r.path, originalUrl: r.path };
}

/** Whether `tenant` is an answer this request allows. */
function allowed(r: FuzzRequest, tenant: string): boolean {
  if (!ACTIVE.includes(tenant)) return false;
  return r.canonical !== undefined ? r.canonical === tenant : r.evidence(tenant);
}

/** What the guard decided: a tenant, or the uniform 404. Anything else throws (a 500 over HTTP). */
async function decide(guard: TenancyGuard, r: FuzzRequest): Promise<string | null> {
  const scope = new TenancyScope();
  const request = handBuilt(r);
  bindScopeToRequest(request, scope); // as the scope middleware does
  const context = new ExecutionContextHost([request, {}], Probe, Probe.prototype.whoami);
  try {
    await openScope(scope, () => guard.canActivate(context));
  } catch (error) {
    if (error instanceof NotFoundException && JSON.stringify(error.getResponse()) === JSON.stringify(NOT_FOUND))
      return null;
    throw error;
  }
  if (!scope.tenant) throw new Error('guard let the request through without a tenant');
  return scope.tenant.identifier;
}

/** Sends the request byte for byte (Node's client would refuse some of these headers). */
function raw(port: number, r: FuzzRequest): Promise<{ status: number; body: string }> {
  const lines = [`GET ${r.path} HTTP/1.1`];
  if (!r.headers.some(([n]) => n.toLowerCase() === 'host')) lines.push('Host: localhost');
  // CR/LF would split the request into others: the fuzz is about values, not request smuggling.
  for (const [name, value] of r.headers) lines.push(`${name}: ${value.replace(/[\r\n]/g, ' ')}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    // no half-close: Node's server may drop a request whose client already sent FIN
    socket.write(Buffer.from(lines.join('\r\n'), 'utf8'));
  });
}

/**
 * Bytes HTTP/1.1 forbids: anything but visible ASCII in the request target, control characters
 * in header values (Node's parser answers 400 itself, before any Nest code runs).
 */
const unparsable = (r: FuzzRequest) =>
  /[^\x21-\x7e]/.test(r.path) || r.headers.some(([, v]) => /[\x00-\x08\x0a-\x1f\x7f]/.test(v));
/** A malformed percent-escape in the path: the router refuses to decode it (400) before any guard. */
const badEscape = (r: FuzzRequest) => {
  try {
    decodeURIComponent(r.path.split(/[?#]/, 1)[0]);
    return false;
  } catch {
    return true;
  }
};
/** A path the router cannot match to the probe route (its own 404, not the tenant's). */
const routeNotFound = (body: string) => /"message":"(Cannot GET |Route GET:)/.test(body);

/** `runs` requests straight through the guard; returns the tenants it served. */
export async function fuzzGuard(strategy: FuzzStrategy, runs: number): Promise<Set<string>> {
  const app = await createTenancyTestApp('express', strategy.options, await seededStore(3));
  const guard = app.get(TenancyGuard);
  const served = new Set<string>();
  try {
    await fc.assert(
      fc.asyncProperty(strategy.requests, async (r) => {
        const tenant = await decide(guard, r);
        if (tenant !== null) {
          served.add(tenant);
          if (!allowed(r, tenant))
            throw new Error(`served ${tenant} for ${JSON.stringify(r.headers)} ${JSON.stringify(r.path)}`);
        } else if (r.canonical && ACTIVE.includes(r.canonical)) {
          throw new Error(`refused the active tenant ${r.canonical}`);
        }
      }),
      { numRuns: runs },
    );
  } finally {
    await app.close();
  }
  return served;
}

/** `runs` requests over HTTP on `adapter`; returns how many of each status came back. */
export async function fuzzHttp(
  strategy: FuzzStrategy,
  adapter: AdapterName,
  runs: number,
): Promise<Map<number, number>> {
  let app: INestApplication | undefined;
  const statuses = new Map<number, number>();
  try {
    app = await createTenancyTestApp(adapter, strategy.options, await seededStore(3));
    await app.listen(0, '127.0.0.1');
    const port = Number(new URL(await app.getUrl()).port);
    await fc.assert(
      fc.asyncProperty(strategy.requests, async (r) => {
        const res = await raw(port, r);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const ctx = `${res.status} ${res.body.slice(0, 120)} for ${JSON.stringify(r.headers).slice(0, 300)} ${JSON.stringify(r.path).slice(0, 200)}`;
        if (res.status === 200) {
          const body = JSON.parse(res.body) as { decorator: string; field: string; context: string };
          if (body.field !== body.decorator || body.context !== body.decorator || !allowed(r, body.decorator))
            throw new Error(`served wrongly: ${ctx}`);
          return;
        }
        const canonicalActive = r.canonical !== undefined && ACTIVE.includes(r.canonical);
        if (res.status === 404 && res.body === UNIFORM_404 && !canonicalActive) return;
        if (res.status === 404 && r.canonical === undefined && routeNotFound(res.body)) return;
        if (res.status === 400 && r.canonical === undefined && (unparsable(r) || badEscape(r))) return;
        // Fastify's router refuses a path parameter over maxParamLength (100) with its own 414
        if (res.status === 414 && adapter === 'fastify' && r.path.split('/').some((s) => s.length > 100)) return;
        throw new Error(`unexpected answer: ${ctx}`);
      }),
      { numRuns: runs },
    );
  } finally {
    await app?.close();
  }
  return statuses;
}
