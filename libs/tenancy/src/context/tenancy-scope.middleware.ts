import { Injectable, NestMiddleware } from '@nestjs/common';
import { bindScopeToRequest } from './request-scope.util';
import { openScope } from './tenant-context';
import { TenancyScope } from './tenancy-scope';

interface ClosableResponse {
  once(event: 'close' | 'finish', listener: () => void): unknown;
}

/**
 * Opens one TenancyScope per request and closes it (returning any connection the request
 * took) when the response finishes or the client goes away. Works on Express and Fastify
 * (Nest passes Fastify's raw Node request/response to middleware). The scope is recorded on the
 * request, so the guard can tell it from the scope of whatever async context it runs in.
 */
@Injectable()
export class TenancyScopeMiddleware implements NestMiddleware {
  use(req: object, res: ClosableResponse, next: (error?: unknown) => void): void {
    const scope = new TenancyScope();
    bindScopeToRequest(req, scope);
    const close = () => void scope.close();
    // 'close' fires after 'finish' and also on client abort; either ends the scope once.
    res.once('close', close);
    res.once('finish', close);
    openScope(scope, () => next());
  }
}
