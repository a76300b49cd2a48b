import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { scopeOfRequest } from '../context/request-scope.util';
import type { TenancyScope } from '../context/tenancy-scope';
import { TenantActivation } from '../context/tenant-activation.interface';
import { TenantContext } from '../context/tenant-context';
import { isValidTenantIdentifier } from '../models/tenant-identifier';
import type { Tenant } from '../models/tenant.model';
import { TenantStore } from '../store/tenant-store.interface';
import { SKIP_TENANCY, TENANCY_OPTIONS, TENANT_OPTIONAL } from '../tenancy.constants';
import { rateLimitRefusal } from './rate-limit/rate-limit-refusal.util';
import { RateLimiter, type RateLimitResult } from './rate-limit/rate-limiter.interface';
import type { RejectionReason } from './rejection-reason';
import { ResolutionMetrics } from './resolution.metrics';
import { HeaderResolver } from './resolvers/header.resolver';
import type { JwtClaimResolver } from './resolvers/jwt-claim.resolver';
import { foreignScopeMessage, handlerName } from './foreign-scope.util';
import { storeUnavailable, tenantNotFound, tooManyRequests } from './http-refusal.util';
import { resolveIdentifierWith } from './identifier-resolution.util';
import { isThenable, then } from './sync-or-async.util';
import { activateTenantWith } from './tenant-activation.util';
import { handOffTenant } from './tenant-handoff';
import { lookupTenantIn } from './tenant-lookup.util';
import type { TenantMembership } from './tenant-membership.interface';
import { checkTenantMembership, findTenantMembership } from './tenant-membership.util';
import { TenantResolutionError } from './tenant-resolution.error';
import { type TenancyRequest, TenantResolver } from './tenant-resolver.interface';
import { checkTokenBinding, tokenBindingFor } from './token-binding.util';
import { tenancyRequestOf } from './transport-request.util';

/**
 * Global guard that puts the request's tenant in scope: reads `@SkipTenancy()` /
 * `@TenantOptional()`, resolves the identifier, validates it, looks the tenant up, checks it is
 * active and within its rate limit, then sets it. Every refusal is the same
 * `404 {"statusCode":404,"message":"Tenant not found"}` (a failing store: 503 + `Retry-After`);
 * the reason goes to the debug log and `ResolutionMetrics`. Each step is a protected method: subclass and override one to change it
 * (then provide your class as the guard).
 *
 * HTTP reads the configured resolvers; WebSocket runs them over the Socket.IO handshake
 * (`client.handshake.headers`); RPC reads the identifier from message metadata (a `tenantId`
 * field or `x-tenant-id` key in the payload, or the transport's headers), so RPC transports
 * must be trusted. Outside HTTP the tenant is handed to `TenancyContextInterceptor`, which runs
 * the handler in its scope.
 */
@Injectable()
export class TenancyGuard implements CanActivate, OnModuleInit {
  protected readonly logger = new Logger(TenancyGuard.name);
  protected readonly rpcResolver: TenantResolver;
  /** Reads a verified token's tenant claim to bind the other sources to it (`jwtSecret` set). */
  protected readonly tokenBinding: JwtClaimResolver | null;
  /** The application's `TenantMembership`, found at start-up (none: no check). */
  protected membership: TenantMembership | null = null;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(TENANCY_OPTIONS) protected readonly options: ResolvedTenancyOptions,
    @Inject(TenantResolver) protected readonly resolver: TenantResolver,
    @Inject(TenantStore) protected readonly store: TenantStore,
    protected readonly tenantContext: TenantContext,
    protected readonly metrics: ResolutionMetrics,
    @Optional() @Inject(RateLimiter) protected readonly rateLimiter: RateLimiter | null = null,
    @Optional() @Inject(TenantActivation) protected readonly activation: TenantActivation | null = null,
    @Optional() @Inject(ModuleRef) protected readonly moduleRef: ModuleRef | null = null,
  ) {
    this.rpcResolver = new HeaderResolver(options);
    this.tokenBinding = tokenBindingFor(options);
  }

  /** Finds the application's `TenantMembership` provider, in any module. */
  onModuleInit(): void {
    this.membership = findTenantMembership(this.moduleRef);
  }

  /**
   * Synchronous (a plain `true`, no promise) when every step is: the resolver answers at once, the
   * tenant is an L1 hit, rate limiting is off and activation has nothing to wait for. That is the
   * common request, and each promise avoided also saves an async_hooks round on Node 20
   * (bench/ANALYSIS.md). Any step may return a promise instead (overrides may be `async`).
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.flag(SKIP_TENANCY, context)) return this.admitSkipped(context);
    try {
      const identifier = this.resolveIdentifier(this.getRequest(context), context);
      const admitted = then(identifier, (id) => this.admitIdentifier(id, context));
      return isThenable(admitted) ? Promise.resolve(admitted).catch((error) => this.fail(error, context)) : admitted;
    } catch (error) {
      return this.fail(error, context);
    }
  }

  /**
   * A route that needs no tenant must not run in another request's scope either: it would see
   * that request's tenant (`TenantContext`, tenant repositories). A lost scope is harmless here
   * (no tenant at all), a foreign one is refused like on any other route (issue 18).
   */
  private admitSkipped(context: ExecutionContext): true {
    if (context.getType() !== 'http') return true;
    const current = this.tenantContext.scope;
    if (!current) return true;
    const bound = scopeOfRequest(context.getArgByIndex(0));
    if (current !== bound) this.refuseForeignScope(context, bound, current);
    return true;
  }

  private admitIdentifier(identifier: unknown, context: ExecutionContext): boolean | Promise<boolean> {
    if (identifier === null) {
      if (!this.flag(TENANT_OPTIONAL, context)) throw new TenantResolutionError('missing');
      this.setTenant(null, context);
      return true;
    }
    const valid = this.validateIdentifier(identifier);
    this.checkBinding(valid, context);
    return then(this.lookupTenant(valid), (tenant) => this.admitTenant(tenant, context));
  }

  /** Each step runs after the previous one settles, at once while they answer synchronously. */
  private admitTenant(tenant: Tenant, context: ExecutionContext): boolean | Promise<boolean> {
    this.checkActive(tenant);
    return then(this.checkMembership(tenant, context), () =>
      then(this.checkRateLimit(tenant, context), () =>
        then(this.activateTenant(tenant), () => this.admit(tenant, context)),
      ),
    );
  }

  private admit(tenant: Tenant, context: ExecutionContext): true {
    this.setTenant(tenant, context);
    this.metrics.recordResolved();
    return true;
  }

  private fail(error: unknown, context: ExecutionContext): never {
    if (error instanceof TenantResolutionError) this.reject(error.reason, context, error.identifier);
    throw error;
  }

  /** The request resolvers read: the HTTP request, the WS handshake, or RPC message metadata. */
  protected getRequest(context: ExecutionContext): TenancyRequest {
    return tenancyRequestOf(context, this.options.tenantHeaderName);
  }

  /**
   * The raw identifier, or `null` when the request carries none (a promise when the resolver is
   * asynchronous). Throws or rejects with `TenantResolutionError`.
   */
  protected resolveIdentifier(request: TenancyRequest, context: ExecutionContext): unknown {
    const resolver = context.getType() === 'rpc' ? this.rpcResolver : this.resolver;
    return resolveIdentifierWith(resolver, request, this.logger);
  }

  /** Applies the identifier rule (before any lookup); throws `malformed`. */
  protected validateIdentifier(identifier: unknown): string {
    if (!isValidTenantIdentifier(identifier)) throw new TenantResolutionError('malformed');
    return identifier;
  }

  /** Reads the tenant from the store (an L1 hit is returned as is, no promise); throws `unknown` or `lookup_error`. */
  protected lookupTenant(identifier: string): Tenant | Promise<Tenant> {
    return lookupTenantIn(this.store, identifier, this.logger);
  }

  /**
   * A verified token's tenant claim binds every other source: a request whose header, subdomain,
   * path or custom resolver names another tenant is refused (`conflict`). A token that does not
   * verify, or has no claim, carries nothing and binds nothing. Active when `jwtSecret` is set and
   * another source than the JWT resolver can answer.
   */
  protected checkBinding(identifier: string, context: ExecutionContext): void {
    if (!this.tokenBinding || context.getType() === 'rpc') return;
    checkTokenBinding(this.tokenBinding, identifier, this.getRequest(context));
  }

  /** Asks the application's `TenantMembership` (if any); anything but `true` is `not_member`. */
  protected checkMembership(tenant: Tenant, context: ExecutionContext): void | Promise<void> {
    if (!this.membership) return;
    return checkTenantMembership(this.membership, tenant, this.getRequest(context), this.logger);
  }

  /** Lets only `active` tenants through; throws `suspended`, `deleted` or `provisioning`. */
  protected checkActive(tenant: Tenant): void {
    if (tenant.status === 'active') return;
    const reason: RejectionReason = ['suspended', 'deleted', 'provisioning'].includes(tenant.status)
      ? tenant.status
      : 'unknown';
    throw new TenantResolutionError(reason, `tenant is ${reason}`, tenant.identifier);
  }

  /** Readies the tenant's resources (e.g. connects its database) before the handler runs. */
  protected activateTenant(tenant: Tenant): void | Promise<void> {
    if (!this.activation) return;
    return activateTenantWith(this.activation, tenant, this.logger);
  }

  /** Counts the request against the tenant's limit (`enableRateLimiting`); over it, a 429. */
  protected checkRateLimit(tenant: Tenant, context: ExecutionContext): void | Promise<void> {
    if (!this.options.enableRateLimiting || !this.rateLimiter) return;
    return rateLimitRefusal(this.rateLimiter, tenant.id, this.logger).then((refused) => {
      if (!refused) return;
      this.metrics.recordRateLimited();
      this.throwRateLimited(refused, context);
    });
  }

  /** Answers `429` with `Retry-After` (seconds). */
  protected throwRateLimited(result: RateLimitResult, context: ExecutionContext): never {
    throw tooManyRequests(context, result.retryAfterSeconds);
  }

  /**
   * Puts the tenant in the scope `TenancyScopeMiddleware` opened for THIS request (recorded on the
   * request), and only when that scope is the current async context's: a middleware that called
   * `next()` from a callback running in another context (a driver callback, an event listener,
   * `req.on('end')`) would otherwise hand the tenant to another request, or run the route without
   * one. Such a request is refused with a 500 and a log line naming the cause. Outside HTTP, or
   * over HTTP when no middleware ran and no scope is current, the tenant is handed to
   * `TenancyContextInterceptor`, which opens a scope (not taken, `@CurrentTenant()` fails).
   */
  protected setTenant(tenant: Tenant | null, context: ExecutionContext): void {
    if (context.getType() !== 'http') return handOffTenant(context, tenant);
    const bound = scopeOfRequest(context.getArgByIndex(0));
    const current = this.tenantContext.scope;
    if (bound === current) {
      if (bound) bound.tenant = tenant;
      else handOffTenant(context, tenant);
      return;
    }
    this.refuseForeignScope(context, bound, current);
  }

  /** The current scope is not this request's: a 500, and an error log naming the cause and the fix. */
  protected refuseForeignScope(
    context: ExecutionContext,
    bound: TenancyScope | undefined,
    current: TenancyScope | undefined,
  ): never {
    this.logger.error(foreignScopeMessage(context, bound, current));
    throw new InternalServerErrorException({ statusCode: 500, message: 'Internal server error' });
  }

  /**
   * Records why and throws the uniform 404. Never includes the input or the reason. A failed
   * store lookup (`lookup_error`) is an outage, not an answer about the tenant: it gets a 503
   * with `Retry-After`, which says nothing about whether the tenant exists.
   */
  protected reject(reason: RejectionReason, context: ExecutionContext, identifier?: string): never {
    this.metrics.recordRejected(reason);
    this.logger.debug(
      `Tenant rejected: reason=${reason} context=${context.getType()} handler=${handlerName(context)}${identifier ? ` tenant=${identifier}` : ''}`,
    );
    throw reason === 'lookup_error' ? storeUnavailable(context) : tenantNotFound();
  }

  private flag(key: string, context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean | undefined>(key, [context.getHandler(), context.getClass()]) === true
    );
  }
}
