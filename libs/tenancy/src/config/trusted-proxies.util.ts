import { compile } from 'proxy-addr';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { optionProblem } from './option-specs';

/** Whether the peer at `address` is a proxy whose forwarded headers may be read. */
export type ProxyTrust = (address: string) => boolean;

/** @internal The problem text when `trustedProxies` cannot be read (shared by validation and the resolver). */
export const TRUSTED_PROXIES_PROBLEM = 'must list IP addresses, CIDR ranges, loopback, linklocal or uniquelocal';

/**
 * @internal `trustedProxies` as a test of the immediate peer, with `proxy-addr` (what Express's
 * `trust proxy` uses): addresses, CIDR ranges, and its names `loopback`, `linklocal`,
 * `uniquelocal`; IPv4-mapped IPv6 peers match their IPv4 entries. Throws `TenancyConfigError`.
 */
export function compileTrustedProxies(list: readonly string[]): ProxyTrust {
  let trust: (address: string, hop: number) => boolean;
  try {
    if (!list.every((entry) => typeof entry === 'string')) throw new TypeError('not a string');
    trust = compile([...list]);
  } catch {
    throw new TenancyConfigError(optionProblem('trustedProxies', TRUSTED_PROXIES_PROBLEM));
  }
  return (address) => trust(address, 0);
}
