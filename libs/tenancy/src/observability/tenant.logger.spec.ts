import { Logger } from '@nestjs/common';
import { TenantContext } from '../context/tenant-context';
import type { Tenant } from '../models/tenant.model';
import { TenantLogger } from './tenant.logger';

const acme = { id: '00000000-0000-4000-8000-000000000001', identifier: 'acme' } as Tenant;

function captureStdout(fn: () => void): string {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('TenantLogger', () => {
  const context = new TenantContext();

  it('tags lines logged inside a tenant scope with [tenant=<identifier>]', () => {
    const logger = new TenantLogger({ colors: false });
    const out = captureStdout(() => context.run(acme, () => logger.log('Order 7 created', 'OrdersService')));
    expect(out).toMatch(/LOG \[OrdersService\] \[tenant=acme\] Order 7 created/);
  });

  it('leaves lines outside a tenant untagged', () => {
    const logger = new TenantLogger({ colors: false });
    const out = captureStdout(() => logger.log('Listening', 'Bootstrap'));
    expect(out).toMatch(/\[Bootstrap\] Listening/);
    expect(out).not.toContain('tenant=');
  });

  it('adds a tenant field in JSON mode', () => {
    const logger = new TenantLogger({ json: true, colors: false });
    const out = captureStdout(() => context.run(acme, () => logger.warn('slow query', 'Orders')));
    expect(JSON.parse(out.trim())).toMatchObject({
      level: 'warn',
      context: 'Orders',
      message: 'slow query',
      tenant: 'acme',
    });
  });

  it('serves every Nest Logger once installed as the app logger', () => {
    Logger.overrideLogger(new TenantLogger({ colors: false }));
    try {
      const out = captureStdout(() => context.run(acme, () => new Logger('TenancyGuard').log('resolved')));
      expect(out).toContain('[TenancyGuard] [tenant=acme] resolved');
    } finally {
      Logger.overrideLogger(true);
    }
  });
});
