import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { TenancyModuleOptions } from './tenancy-options.interface';

/**
 * The default `redisKeyPrefix`: `tenancy:<12 hex>:`, a hash of where the tenants registry lives
 * (host, port and database of `databaseUrl`; the absolute file of a SQLite URL). Credentials and
 * query parameters do not count, so every instance of one application agrees, and two
 * applications with different databases never share a key or a channel on one Redis.
 * @example defaultRedisKeyPrefix('postgresql://app:pw@db:5432/main') // 'tenancy:3f0c…:'
 */
export function defaultRedisKeyPrefix(databaseUrl: string): string {
  return `tenancy:${createHash('sha256').update(registryIdentity(databaseUrl)).digest('hex').slice(0, 12)}:`;
}

/** `redisKeyPrefix` when set, else {@link defaultRedisKeyPrefix} of `databaseUrl`. */
export function redisKeyPrefixOf(options: Pick<TenancyModuleOptions, 'redisKeyPrefix' | 'databaseUrl'>): string {
  return options.redisKeyPrefix ?? defaultRedisKeyPrefix(options.databaseUrl);
}

function registryIdentity(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return `sqlite:${resolve(databaseUrl.slice('sqlite:'.length))}`;
  try {
    const url = new URL(databaseUrl);
    const scheme = url.protocol.replace(/^(postgres|postgresql):$/, 'postgresql:').replace(/^mariadb:$/, 'mysql:');
    return `${scheme}//${url.hostname.toLowerCase()}:${url.port}${url.pathname}`;
  } catch {
    return databaseUrl;
  }
}
