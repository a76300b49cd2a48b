import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
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
import { setResponseHeader } from './response-header.util';
import { handOffTenant } from './tenant-handoff';
import { TenantResolutionError } from './tenant-resolution.error';
import { TenancyRequest, TenantResolver } from './tenant-resolver.interface';
import { rpcMetadataRequest, wsHandshakeRequest } from './transport-request.util';

/**
 * Global guard that puts the request's tenant in scope: reads `@SkipTenancy()` /
 * `@TenantOptional()`, resolves the identifier, validates it, looks the tenant up, checks it is
 * active and within its rate limit, then sets it. Every refusal is the same
 * `404 {"statusCode":404,"message":"Tenant not found"}`; the reason goes to the debug log and
 * `ResolutionMetrics`. Each step is a protected method: subclass and override one to change it
 * (then provide your class as the guard).
 *
 * HTTP reads the configured resolvers; WebSocket runs them over the Socket.IO handshake
 * (`client.handshake.headers`); RPC reads the identifier from message metadata (a `tenantId`
 * field or `x-tenant-id` key in the payload, or the transport's headers), so RPC transports
 * must be trusted. Outside HTTP the tenant is handed to `TenancyContextInterceptor`, which runs
 * the handler in its scope.
 */
@Injectable()
export class TenancyGuard implements CanActivate {
  protected readonly logger = new Logger(TenancyGuard.name);
  protected readonly rpcResolver: TenantResolver;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(TENANCY_OPTIONS) protected readonly options: ResolvedTenancyOptions,
    @Inject(TenantResolver) protected readonly resolver: TenantResolver,
    @Inject(TenantStore) protected readonly store: TenantStore,
    protected readonly tenantContext: TenantContext,
    protected readonly metrics: ResolutionMetrics,
    @Optional() @Inject(RateLimiter) protected readonly rateLimiter: RateLimiter | null = null,
  ) {
    this.rpcResolver = new HeaderResolver(options);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.flag(SKIP_TENANCY, context)) return true;
    try {
      const identifier = await this.resolveIdentifier(this.getRequest(context), context);
      if (identifier === null) {
        if (!this.flag(TENANT_OPTIONAL, context)) throw new TenantResolutionError('missing');
        this.setTenant(null, context);
        return true;
      }
      const tenant = await this.lookupTenant(this.validateIdentifier(identifier));
      this.checkActive(tenant);
      await this.checkRateLimit(tenant, context);
      this.setTenant(tenant, context);
      this.metrics.recordResolved();
      return true;
    } catch (error) {
      if (error instanceof TenantResolutionError) this.reject(error.reason, context, error.identifier);
      throw error;
    }
  }

  /** The request resolvers read: the HTTP request, the WS handshake, or RPC message metadata. */
  protected getRequest(context: ExecutionContext): TenancyRequest {
    const type = context.getType<string>();
    if (type === 'ws') return wsHandshakeRequest(context.switchToWs());
    if (type === 'rpc') return rpcMetadataRequest(context.switchToRpc(), this.options.tenantHeaderName);
    // GraphQL passes [root, args, context, info]; its context carries the HTTP request.
    const request: unknown = type === 'graphql' ? (context.getArgByIndex(2) as { req?: unknown } | undefined)?.req : context.switchToHttp().getRequest();
    return (request ?? { headers: {} }) as TenancyRequest;
  }

  /** The raw identifier, or `null` when the request carries none. Throws `TenantResolutionError`. */
  protected async resolveIdentifier(request: TenancyRequest, context: ExecutionContext): Promise<unknown> {
    const resolver = context.getType() === 'rpc' ? this.rpcResolver : this.resolver;
    try {
      const identifier: unknown = await resolver.resolve(request);
      return identifier === undefined || identifier === '' ? null : identifier;
    } catch (error) {
      if (error instanceof TenantResolutionError) throw error;
      this.logger.warn(`Tenant resolver failed: ${error instanceof Error ? error.name : typeof error}`);
      throw new TenantResolutionError('resolver_error');
    }
  }

  /** Applies the identifier rule (before any lookup); throws `malformed`. */
  protected validateIdentifier(identifier: unknown): string {
    if (!isValidTenantIdentifier(identifier)) throw new TenantResolutionError('malformed');
    return identifier;
  }

  /** Reads the tenant from the store; throws `unknown` or `lookup_error`. */
  protected async lookupTenant(identifier: string): Promise<Tenant> {
    try {
      return await this.store.getByIdentifier(identifier);
    } catch (error) {
      if (error instanceof TenantNotFoundError) throw new TenantResolutionError('unknown', 'no such tenant', identifier);
      this.logger.warn(`Tenant store lookup failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      throw new TenantResolutionError('lookup_error', 'store failed', identifier);
    }
  }

  /** Lets only `active` tenants through; throws `suspended`, `deleted` or `provisioning`. */
  protected checkActive(tenant: Tenant): void {
    if (tenant.status === 'active') return;
    const reason: RejectionReason = ['suspended', 'deleted', 'provisioning'].includes(tenant.status) ? tenant.status : 'unknown';
    throw new TenantResolutionError(reason, `tenant is ${reason}`, tenant.identifier);
  }

  /** Counts the request against the tenant's limit (`enableRateLimiting`); over it, a 429. */
  protected async checkRateLimit(tenant: Tenant, context: ExecutionContext): Promise<void> {
    if (!this.options.enableRateLimiting || !this.rateLimiter) return;
    const result = await this.rateLimiter.consume(tenant.id);
    if (result.allowed) return;
    this.metrics.recordRateLimited();
    this.throwRateLimited(result, context);
  }

  /** Answers `429` with `Retry-After` (seconds). */
  protected throwRateLimited(result: RateLimitResult, context: ExecutionContext): never {
    if (context.getType() === 'http') {
      setResponseHeader(context.switchToHttp().getResponse(), 'Retry-After', String(result.retryAfterSeconds));
    }
    throw new HttpException({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
  }

  /**
   * Puts the tenant in the request's scope. Outside HTTP, or when no scope is open (no
   * middleware ran), hands it to `TenancyContextInterceptor` instead, which opens one.
   */
  protected setTenant(tenant: Tenant | null, context: ExecutionContext): void {
    const scope = context.getType() === 'http' ? this.tenantContext.scope : undefined;
    if (scope) scope.tenant = tenant;
    else handOffTenant(context, tenant);
  }

  /** Records why and throws the uniform 404. Never includes the input or the reason. */
  protected reject(reason: RejectionReason, context: ExecutionContext, identifier?: string): never {
    this.metrics.recordRejected(reason);
    const where = `${context.getClass()?.name ?? '?'}.${context.getHandler()?.name ?? '?'}`;
    this.logger.debug(`Tenant rejected: reason=${reason} context=${context.getType()} handler=${where}${identifier ? ` tenant=${identifier}` : ''}`);
    throw new NotFoundException({ statusCode: 404, message: 'Tenant not found' });
  }

  private flag(key: string, context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean | undefined>(key, [context.getHandler(), context.getClass()]) === true;
  }
}
