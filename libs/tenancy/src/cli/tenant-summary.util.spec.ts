import type { Tenant } from '../models/tenant.model';
import { formatTable, parseWholeNumber, tenantSummary } from './tenant-summary.util';

describe('tenantSummary', () => {
  it('never includes databaseUrl or metadata', () => {
    const t = {
      id: 'i',
      identifier: 'acme',
      name: 'A',
      status: 'active',
      isolationStrategy: 'schema',
      tier: 'standard',
      databaseUrl: 'enc::x',
      metadata: { _enc_k: 'enc::y' },
      createdAt: new Date(0),
      updatedAt: new Date(0),
    } as Tenant;
    expect(tenantSummary(t)).toEqual({
      id: 'i',
      identifier: 'acme',
      name: 'A',
      status: 'active',
      isolationStrategy: 'schema',
      tier: 'standard',
      createdAt: '1970-01-01T00:00:00.000Z',
    });
  });
});

describe('formatTable', () => {
  it('aligns columns, the last one unpadded', () => {
    expect(
      formatTable(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', 'z'],
          ['1', '22', '333'],
        ],
      ),
    ).toEqual(['A    BB  C', 'xxx  y   z', '1    22  333']);
  });
});

describe('parseWholeNumber', () => {
  it('parses or passes undefined through', () => {
    expect(parseWholeNumber('8', '--concurrency', 1)).toBe(8);
    expect(parseWholeNumber(undefined, '--limit', 0)).toBeUndefined();
    expect(parseWholeNumber('0', '--limit', 0)).toBe(0);
  });

  it.each(['0', '-1', '2.5', 'four', ''])('refuses %p for a minimum of 1, naming the flag', (value) => {
    expect(() => parseWholeNumber(value, '--concurrency', 1)).toThrow(
      /--concurrency must be a whole number of at least 1/,
    );
  });
});
