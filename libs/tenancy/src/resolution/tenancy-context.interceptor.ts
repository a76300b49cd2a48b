import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { openScope } from '../context/tenant-context';
import { TenancyScope } from '../context/tenancy-scope';
import { takeHandedOffTenant } from './tenant-handoff';

/**
 * Runs the handler in a tenancy scope when the TenancyGuard could not put the tenant in one:
 * RPC and WebSocket calls (no middleware runs there), and HTTP requests that reached the guard
 * outside the middleware's scope. The handler is subscribed inside the scope, so everything it
 * starts (params, `@CurrentTenant()`, services, repositories) sees the tenant; the scope closes
 * when the handler's stream ends or is unsubscribed. Elsewhere it passes through untouched.
 * Register it globally (`APP_INTERCEPTOR`) next to the guard.
 */
@Injectable()
export class TenancyContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tenant = takeHandedOffTenant(context);
    if (tenant === undefined) return next.handle();
    return new Observable<unknown>((subscriber) => {
      const scope = new TenancyScope(tenant);
      const subscription = openScope(scope, () => next.handle().subscribe(subscriber));
      return () => {
        subscription.unsubscribe();
        void scope.close();
      };
    });
  }
}
