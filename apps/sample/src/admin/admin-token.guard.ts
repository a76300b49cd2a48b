import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { SAMPLE_SETTINGS, type SampleSettings } from '../sample.settings';

/** Lets a request through only with `Authorization: Bearer <SAMPLE_ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(SAMPLE_SETTINGS) settings: SampleSettings) {
    this.expected = digest(settings.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const match = typeof headers.authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization) : null;
    // Digests have one length, so the comparison time says nothing about the token.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) throw new UnauthorizedException();
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
