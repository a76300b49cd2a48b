import { TenantResolutionError } from '../tenant-resolution.error';
import type { TenancyRequest } from '../tenant-resolver.interface';

/**
 * @internal One header value, trimmed; `null` when absent or blank. Names match
 * case-insensitively (Node lowercases them; hand-built requests may not). A header sent twice
 * (an array) is ambiguous and refused as `malformed`.
 */
export function readSingleHeader(request: TenancyRequest, name: string): string | null {
  const value = headerValue(request.headers ?? {}, name.toLowerCase());
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TenantResolutionError('malformed', `header ${name} is repeated or not text`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function headerValue(headers: TenancyRequest['headers'], lowerName: string): unknown {
  if (Object.hasOwn(headers, lowerName)) return headers[lowerName];
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lowerName);
  return key === undefined ? undefined : headers[key];
}
