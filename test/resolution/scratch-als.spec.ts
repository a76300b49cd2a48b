import request from 'supertest';
import { TenantContext } from '../../libs/tenancy/src/context/tenant-context';
import { createTenancyTestApp, seededStore } from './support/tenancy-test-app';

it.each(['express', 'fastify'] as const)('%s: where does the guard find the scope?', async (adapter) => {
  const seen: boolean[] = [];
  const original = Object.getOwnPropertyDescriptor(TenantContext.prototype, 'scope')!.get!;
  const spy = jest.spyOn(TenantContext.prototype, 'scope', 'get').mockImplementation(function (this: TenantContext) { const s = original.call(this); seen.push(!!s); return s; });
  const app = await createTenancyTestApp(adapter, { resolutionStrategy: 'header' }, await seededStore());
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  await request(url).get('/whoami').set('X-Tenant-ID', 'acme').expect(200);
  const getHandoffs = seen.filter(x=>!x).length;
  await request(url).post('/echo').set('X-Tenant-ID', 'acme').send({ n: 1 }).expect(201);
  const postHandoffs = seen.filter(x=>!x).length - getHandoffs;
  await request(url).post('/echo').set('X-Tenant-ID', 'acme').set('content-type', 'application/json').send('{"n":1}'.padEnd(200000, ' ')).expect(201);
  const bigPostHandoffs = seen.filter(x=>!x).length - getHandoffs - postHandoffs;
  console.log(adapter, seen, { getHandoffs, postHandoffs, bigPostHandoffs });
  spy.mockRestore();
  await app.close();
});
