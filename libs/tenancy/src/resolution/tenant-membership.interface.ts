import type { Tenant } from '../models/tenant.model';
import type { TenancyRequest } from './tenant-resolver.interface';

/**
 * Binds a resolved tenant to the caller: `TenancyGuard` calls `canAccess(tenant, request)` for
 * every request that resolved an active tenant (header, subdomain, path or JWT) and answers the
 * uniform 404 unless it returns `true` (a throw refuses too). Register a provider under this
 * token anywhere in the application; the guard finds it at start-up. The guard runs before
 * route guards, so read a user an authentication middleware set, or verify credentials here.
 * `request` is the HTTP request (or the WebSocket handshake, or RPC metadata).
 * @example
 * \@Injectable()
 * export class UserMembership implements TenantMembership {
 *   constructor(private readonly members: MembersService) {}
 *   canAccess(tenant: Tenant, request: Request & { user?: { id: string } }): Promise<boolean> {
 *     return request.user ? this.members.isMember(request.user.id, tenant.id) : Promise.resolve(false);
 *   }
 * }
 * // providers: [{ provide: TenantMembership, useClass: UserMembership }]
 */
export interface TenantMembership {
  canAccess(tenant: Tenant, request: TenancyRequest): boolean | Promise<boolean>;
}

/** Injection token of the application's membership check (same name as the interface). */
export const TenantMembership = Symbol.for('nestjs-tenancy:TenantMembership');
