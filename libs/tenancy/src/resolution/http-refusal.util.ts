import {
  type ExecutionContext,
  HttpException,
  HttpStatus,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { setResponseHeader } from './response-header.util';

/** @internal The uniform refusal: `404 {"statusCode":404,"message":"Tenant not found"}`. */
export function tenantNotFound(): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: 'Tenant not found' });
}

/** @internal A failing store: `503` with `Retry-After: 1` (over HTTP), which says nothing about the tenant. */
export function storeUnavailable(context: ExecutionContext): ServiceUnavailableException {
  setRetryAfter(context, 1);
  return new ServiceUnavailableException({ statusCode: 503, message: 'Service Unavailable' });
}

/** @internal Over the rate limit: `429` with `Retry-After` (seconds, over HTTP). */
export function tooManyRequests(context: ExecutionContext, retryAfterSeconds: number): HttpException {
  setRetryAfter(context, retryAfterSeconds);
  return new HttpException(
    { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: 'Too Many Requests' },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

function setRetryAfter(context: ExecutionContext, seconds: number): void {
  if (context.getType() === 'http')
    setResponseHeader(context.switchToHttp().getResponse(), 'Retry-After', String(seconds));
}
