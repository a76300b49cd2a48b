import { TenancyError } from '../errors/tenancy.error';

/**
 * Rule for public tenant identifiers: 3 to 63 characters, lowercase ASCII letters, digits and
 * `-`, starting with a letter and not ending with `-`. Usable as a DNS label, a header value
 * and a path segment. It never contains `_`, which keeps physical names injective, and is never
 * shaped like a UUID (see {@link isUuidShaped}).
 */
export const TENANT_IDENTIFIER_PATTERN = /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/;

/** Inputs longer than this are refused before any pattern runs. */
export const MAX_TENANT_IDENTIFIER_INPUT_LENGTH = 255;

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @internal Whether `input` is shaped like a canonical UUID (any version): the shape of tenant ids.
 * Identifiers never have it, so a lookup key is an id or an identifier, never both (issue 11).
 */
export function isUuidShaped(input: string): boolean {
  return UUID_SHAPE.test(input);
}

/**
 * Whether `input` is a valid tenant identifier (see {@link TENANT_IDENTIFIER_PATTERN}).
 * Non-strings and inputs over 255 characters are refused without running the pattern.
 * @example isValidTenantIdentifier('acme-corp') // true
 */
export function isValidTenantIdentifier(input: unknown): input is string {
  return (
    typeof input === 'string' &&
    input.length <= MAX_TENANT_IDENTIFIER_INPUT_LENGTH &&
    TENANT_IDENTIFIER_PATTERN.test(input) &&
    !isUuidShaped(input)
  );
}

/**
 * Throws a `TenancyError` explaining the identifier rule unless `input` is valid.
 * The message shows at most 64 characters of the input.
 */
export function assertValidTenantIdentifier(input: unknown): asserts input is string {
  if (isValidTenantIdentifier(input)) return;
  if (typeof input === 'string' && isUuidShaped(input)) {
    throw new TenancyError(
      `Invalid tenant identifier ${previewUntrustedInput(input)}: it is shaped like a UUID, the shape of ` +
        'tenant ids, so it could be mistaken for another tenant\'s id. Choose a name (e.g. "acme-corp").',
    );
  }
  throw new TenancyError(
    `Invalid tenant identifier ${previewUntrustedInput(input)}: it must be 3 to 63 characters of ` +
      'lowercase letters, digits and "-", start with a letter and not end with "-" ' +
      '(pattern ^[a-z][a-z0-9-]{1,61}[a-z0-9]$)',
  );
}

/**
 * @internal A safe preview of untrusted input for error messages: at most 64 characters,
 * JSON-escaped (NUL, quotes and control characters stay visible), or the type for non-strings.
 */
export function previewUntrustedInput(input: unknown): string {
  if (typeof input !== 'string') return `(${input === null ? 'null' : typeof input})`;
  const shown = JSON.stringify(input.slice(0, 64));
  return input.length > 64 ? `${shown}… (${input.length} characters)` : shown;
}
