import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  type OnModuleInit,
  Optional,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { scopeOfRequest } from '../context/request-scope.util';
import type { TenancyScope } from '../context/tenancy-scope';
import { TenantActivation } from '../context/tenant-activation.interface';
import { TenantContext } from '../context/tenant-context';
import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import { isValidTenantIdentifier } from '../models/tenant-identifier';
import type { Tenant } from '../models/tenant.model';
import { TenantStore } from '../store/tenant-store.interface';
import { SKIP_TENANCY, TENANCY_OPTIONS, TENANT_OPTIONAL } from '../tenancy.constants';
import { RateLimiter, type RateLimitResult } from './rate-limit/rate-limiter.interface';
import type { RejectionReason } from './rejection-reason';
import { ResolutionMetrics } from './resolution.metrics';
import { HeaderResolver } from './resolvers/header.resolver';
import { JwtClaimResolver } from './resolvers/jwt-claim.resolver';
import { setResponseHeader } from './response-header.util';
import { handOffTenant } from './tenant-handoff';
import { TenantMembership } from './tenant-membership.interface';
import { TenantResolutionError } from './tenant-resolution.error';
import { type TenancyRequest, TenantResolver } from './tenant-resolver.interface';
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
    // With only the JWT resolver the claim is the sole source: nothing else to bind.
    const jwtOnly = options.resolutionStrategy === 'jwt' && (options.resolvers ?? []).length === 0;
    this.tokenBinding = options.jwtSecret && !jwtOnly ? new JwtClaimResolver(options) : null;
  }

  /** Finds the application's `TenantMembership` provider, in any module. */
  onModuleInit(): void {
    try {
      this.membership = this.moduleRef?.get<TenantMembership>(TenantMembership, { strict: false }) ?? null;
    } catch {
      this.membership = null; // none registered
    }
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
      const admitted = isThenable(identifier)
        ? Promise.resolve(identifier).then((id) => this.admitIdentifier(id, context))
        : this.admitIdentifier(identifier, context);
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
    const tenant = this.lookupTenant(valid);
    return isThenable(tenant)
      ? Promise.resolve(tenant).then((t) => this.admitTenant(t, context))
      : this.admitTenant(tenant, context);
  }

  private admitTenant(tenant: Tenant, context: ExecutionContext): boolean | Promise<boolean> {
    this.checkActive(tenant);
    const member = this.checkMembership(tenant, context);
    if (isThenable(member)) return Promise.resolve(member).then(() => this.admitMember(tenant, context));
    return this.admitMember(tenant, context);
  }

  private admitMember(tenant: Tenant, context: ExecutionContext): boolean | Promise<boolean> {
    const limited = this.checkRateLimit(tenant, context);
    if (isThenable(limited)) return Promise.resolve(limited).then(() => this.admitActivated(tenant, context));
    return this.admitActivated(tenant, context);
  }

  private admitActivated(tenant: Tenant, context: ExecutionContext): boolean | Promise<boolean> {
    const activated = this.activateTenant(tenant);
    if (isThenable(activated)) return Promise.resolve(activated).then(() => this.admit(tenant, context));
    return this.admit(tenant, context);
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
    let identifier: unknown;
    try {
      identifier = resolver.resolve(request);
    } catch (error) {
      return this.resolverFailed(error);
    }
    if (isThenable(identifier))
      return Promise.resolve(identifier).then(emptyAsNull, (error: unknown) => this.resolverFailed(error));
    return emptyAsNull(identifier);
  }

  private resolverFailed(error: unknown): never {
    if (error instanceof TenantResolutionError) throw error;
    this.logger.warn(`Tenant resolver failed: ${describeError(error, false)}`);
    throw new TenantResolutionError('resolver_error');
  }

  /** Applies the identifier rule (before any lookup); throws `malformed`. */
  protected validateIdentifier(identifier: unknown): string {
    if (!isValidTenantIdentifier(identifier)) throw new TenantResolutionError('malformed');
    return identifier;
  }

  /** Reads the tenant from the store (an L1 hit is returned as is, no promise); throws `unknown` or `lookup_error`. */
  protected lookupTenant(identifier: string): Tenant | Promise<Tenant> {
    const cached = this.store.peekByIdentifier?.(identifier);
    if (cached) return cached;
    if (cached === null) throw new TenantResolutionError('unknown', 'no such tenant (cached)', identifier);
    return this.store.getByIdentifier(identifier).catch((error: unknown) => {
      if (error instanceof TenantNotFoundError)
        throw new TenantResolutionError('unknown', 'no such tenant', identifier);
      this.logger.warn(`Tenant store lookup failed: ${describeError(error)}`);
      throw new TenantResolutionError('lookup_error', 'store failed', identifier);
    });
  }

  /**
   * A verified token's tenant claim binds every other source: a request whose header, subdomain,
   * path or custom resolver names another tenant is refused (`conflict`). A token that does not
   * verify, or has no claim, carries nothing and binds nothing. Active when `jwtSecret` is set and
   * another source than the JWT resolver can answer.
   */
  protected checkBinding(identifier: string, context: ExecutionContext): void {
    if (!this.tokenBinding || context.getType() === 'rpc') return;
    let claimed: string | null;
    try {
      claimed = this.tokenBinding.resolve(this.getRequest(context));
    } catch (error) {
      if (error instanceof TenantResolutionError) return;
      throw error;
    }
    if (claimed !== null && claimed !== identifier)
      throw new TenantResolutionError('conflict', 'the token names another tenant', identifier);
  }

  /** Asks the application's `TenantMembership` (if any); anything but `true` is `not_member`. */
  protected checkMembership(tenant: Tenant, context: ExecutionContext): void | Promise<void> {
    const membership = this.membership;
    if (!membership) return;
    const refuse = (error?: unknown): never => {
      if (error !== undefined) this.logger.warn(`TenantMembership.canAccess failed: ${describeError(error)}`);
      throw new TenantResolutionError('not_member', 'membership refused', tenant.identifier);
    };
    let answer: boolean | Promise<boolean>;
    try {
      answer = membership.canAccess(tenant, this.getRequest(context));
    } catch (error) {
      return refuse(error);
    }
    if (isThenable(answer)) return Promise.resolve(answer).then((ok) => (ok === true ? undefined : refuse()), refuse);
    if (answer !== true) refuse();
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
    const unavailable = (error: unknown): never => {
      // The tenant exists but its database is unreachable: a 503 for it alone, never a 404.
      this.logger.warn(`Tenant ${tenant.identifier} could not be activated: ${describeError(error)}`);
      throw new ServiceUnavailableException({ statusCode: 503, message: 'Service Unavailable' });
    };
    let pending: unknown;
    try {
      pending = this.activation.activate(tenant);
    } catch (error) {
      return unavailable(error);
    }
    if (isThenable(pending)) return Promise.resolve(pending).then(() => undefined, unavailable);
  }

  /** Counts the request against the tenant's limit (`enableRateLimiting`); over it, a 429. */
  protected checkRateLimit(tenant: Tenant, context: ExecutionContext): void | Promise<void> {
    if (!this.options.enableRateLimiting || !this.rateLimiter) return;
    return this.consumeRateLimit(this.rateLimiter, tenant, context);
  }

  private async consumeRateLimit(limiter: RateLimiter, tenant: Tenant, context: ExecutionContext): Promise<void> {
    let result: RateLimitResult;
    try {
      result = await limiter.consume(tenant.id);
    } catch (error) {
      // A broken limiter must not take the API down: let the request through, loudly.
      this.logger.warn(`Rate limiter failed, request allowed: ${describeError(error)}`);
      return;
    }
    if (result.allowed) return;
    this.metrics.recordRateLimited();
    this.throwRateLimited(result, context);
  }

  /** Answers `429` with `Retry-After` (seconds). */
  protected throwRateLimited(result: RateLimitResult, context: ExecutionContext): never {
    if (context.getType() === 'http') {
      setResponseHeader(context.switchToHttp().getResponse(), 'Retry-After', String(result.retryAfterSeconds));
    }
    throw new HttpException(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
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
    const where = `${context.getClass()?.name ?? '?'}.${context.getHandler()?.name ?? '?'}`;
    const cause = !bound
      ? 'a tenancy scope is current but TenancyScopeMiddleware did not open one for this request'
      : !current
        ? 'no tenancy scope is current (the scope TenancyScopeMiddleware opened for this request was lost)'
        : 'the current tenancy scope is not the scope TenancyScopeMiddleware opened for this request';
    this.logger.error(
      `Request refused (500) at ${where}: ${cause}. A middleware between TenancyScopeMiddleware and the ` +
        'guard called next() from a callback that runs in another async context (a driver callback, ' +
        "an event listener, req.on('end')). Call next() from the middleware's own async context: " +
        'await the promise API (await pool.query(...)), or wrap it with AsyncResource.bind(next).',
    );
    throw new InternalServerErrorException({ statusCode: 500, message: 'Internal server error' });
  }

  /**
   * Records why and throws the uniform 404. Never includes the input or the reason. A failed
   * store lookup (`lookup_error`) is an outage, not an answer about the tenant: it gets a 503
   * with `Retry-After`, which says nothing about whether the tenant exists.
   */
  protected reject(reason: RejectionReason, context: ExecutionContext, identifier?: string): never {
    this.metrics.recordRejected(reason);
    const where = `${context.getClass()?.name ?? '?'}.${context.getHandler()?.name ?? '?'}`;
    this.logger.debug(
      `Tenant rejected: reason=${reason} context=${context.getType()} handler=${where}${identifier ? ` tenant=${identifier}` : ''}`,
    );
    if (reason === 'lookup_error') {
      if (context.getType() === 'http') setResponseHeader(context.switchToHttp().getResponse(), 'Retry-After', '1');
      throw new ServiceUnavailableException({ statusCode: 503, message: 'Service Unavailable' });
    }
    throw new NotFoundException({ statusCode: 404, message: 'Tenant not found' });
  }

  private flag(key: string, context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean | undefined>(key, [context.getHandler(), context.getClass()]) === true
    );
  }
}

function emptyAsNull(identifier: unknown): unknown {
  return identifier === undefined || identifier === '' ? null : identifier;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** A log-safe line for an error: its class, and its message unless the message may echo input. */
function describeError(error: unknown, withMessage = true): string {
  if (!(error instanceof Error)) return typeof error;
  return withMessage ? `${error.name}: ${error.message}` : error.name;
}
