import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TenancyError, TenantAlreadyExistsError, TenantNotFoundError, TenantProvisioningError } from 'nestjs-tenancy';

/** Maps the library's errors to HTTP answers on the admin API (the library stays HTTP-free). */
@Catch(TenancyError)
export class TenancyErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: TenancyError, host: ArgumentsHost): void {
    const status = statusOf(error);
    const { httpAdapter } = this.adapterHost;
    httpAdapter.reply(
      host.switchToHttp().getResponse(),
      { statusCode: status, error: error.name, message: error.message },
      status,
    );
  }
}

function statusOf(error: TenancyError): number {
  if (error instanceof TenantNotFoundError) return HttpStatus.NOT_FOUND;
  if (error instanceof TenantAlreadyExistsError) return HttpStatus.CONFLICT;
  if (error instanceof TenantProvisioningError)
    return error.step === 'validate' ? HttpStatus.BAD_REQUEST : HttpStatus.INTERNAL_SERVER_ERROR;
  // A refused transition (e.g. suspending a deleted tenant) or a limit.
  return HttpStatus.CONFLICT;
}
