import { TenancyConfigError } from '../errors/tenancy-config.error';

/**
 * Loads an optional peer package (ioredis, @nestjs/jwt, ...) when the feature that needs it is
 * configured, never at import: an app that does not use Redis or JWT does not need them
 * installed. A missing package stops start-up with a message naming it and the feature.
 * @param feature what needs it, for the message (e.g. "redisUrl (TENANCY_REDIS_URL)").
 */
export function loadOptionalPackage<T>(name: string, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, by design
    return require(name) as T;
  } catch (error) {
    if (isMissing(error, name)) {
      throw new TenancyConfigError(
        `${feature} needs the optional package "${name}", which is not installed: npm i ${name}`,
      );
    }
    throw error;
  }
}

function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}
