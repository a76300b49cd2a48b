import { TenancyError } from '../../errors/tenancy.error';
import { prefixedTableName } from './sqlite-table-name.util';
import { tablePrefixFor } from './tenant-physical-names.util';

describe('prefixedTableName', () => {
  it('prefixes a table with the tenant prefix', () => {
    expect(prefixedTableName(tablePrefixFor('t_', 'acme-corp'), 'orders')).toBe('t_acme_corp__orders');
    expect(prefixedTableName('t_acme__', 'order_items')).toBe('t_acme__order_items');
  });

  it('refuses table names that would let two tenants share a physical table', () => {
    // Tenant `abc--def` + `orders` and tenant `abc` + `def__orders` would both be `t_abc__def__orders`.
    expect(prefixedTableName(tablePrefixFor('t_', 'abc--def'), 'orders')).toBe('t_abc__def__orders');
    expect(() => prefixedTableName(tablePrefixFor('t_', 'abc'), 'def__orders')).toThrow(TenancyError);
    expect(() => prefixedTableName('t_abc__', '_orders')).toThrow(TenancyError);
  });

  it.each([
    ['t_abc', 'orders'],
    ['T_abc__', 'orders'],
    ['t_abc__', 'Orders'],
    ['t_abc__', 'o"rders'],
    ['t_abc__', 'orders;'],
  ])('refuses prefix %j with table %j', (prefix, table) => {
    expect(() => prefixedTableName(prefix, table)).toThrow(TenancyError);
  });
});
