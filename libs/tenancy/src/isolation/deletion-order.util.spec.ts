import type { EntityMetadata } from 'typeorm';
import { childrenFirst } from './deletion-order.util';

type Fake = {
  tablePath: string;
  tableType: string;
  foreignKeys: Array<{ referencedEntityMetadata: { tablePath: string } }>;
};
const table = (tablePath: string, refs: string[] = [], tableType = 'regular'): Fake => ({
  tablePath,
  tableType,
  foreignKeys: refs.map((r) => ({ referencedEntityMetadata: { tablePath: r } })),
});
const order = (tables: Fake[]) => childrenFirst(tables as unknown as EntityMetadata[]).map((m) => m.tablePath);

describe('childrenFirst', () => {
  it('puts referencing tables before the tables they reference', () => {
    expect(
      order([
        table('customers'),
        table('orders', ['customers']),
        table('lines', ['orders', 'products']),
        table('products'),
      ]),
    ).toEqual(['lines', 'orders', 'customers', 'products']);
  });

  it('leaves out views and junction tables, and lists each table once', () => {
    const tables = [
      table('a'),
      table('a_b_junction', ['a', 'b'], 'junction'),
      table('b'),
      table('b'),
      table('v', [], 'view'),
    ];
    expect(order(tables)).toEqual(['a', 'b']);
  });

  it('ignores self references and still terminates on a cycle', () => {
    expect(order([table('nodes', ['nodes'])])).toEqual(['nodes']);
    expect(order([table('x', ['y']), table('y', ['x'])]).sort()).toEqual(['x', 'y']);
  });
});
