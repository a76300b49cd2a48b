import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import { SERVICES_FILE, SERVICE_VARS, TestServices, portOpen, startEmbeddedPostgres, writeServices } from './services';

/**
 * Finds the servers integration suites need, once per run:
 * PostgreSQL from TENANCY_TEST_POSTGRES_URL, else an embedded PostgreSQL started here;
 * MySQL from TENANCY_TEST_MYSQL_URL, else 127.0.0.1:3306; Redis from TENANCY_TEST_REDIS_URL,
 * else 127.0.0.1:6379. Missing servers are recorded (suites skip loudly, or fail under CI=true).
 */
export default async function globalSetup(): Promise<void> {
  const services: TestServices = { missing: {} };
  await findPostgres(services);
  await findMysql(services);
  await findRedis(services);
  process.env.TENANCY_TEST_SERVICES_FILE = SERVICES_FILE;
  writeServices(services);
  for (const [name, why] of Object.entries(services.missing)) {
    process.stderr.write(`\n!!! ${name} not available: ${why}\n`);
  }
}

async function findPostgres(s: TestServices): Promise<void> {
  const fromEnv = process.env[SERVICE_VARS.postgres];
  if (fromEnv) {
    if (await pgAnswers(fromEnv)) s.postgres = fromEnv;
    else s.missing.postgres = `${SERVICE_VARS.postgres} is set but PostgreSQL does not answer there`;
    return;
  }
  try {
    const { url, pid } = await startEmbeddedPostgres();
    s.postgres = url;
    s.embeddedPostgresPid = pid;
  } catch (e) {
    s.missing.postgres = `embedded PostgreSQL failed (${(e as Error).message.slice(0, 200)}) and no Docker engine answers; set ${SERVICE_VARS.postgres}`;
  }
}

async function pgAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function findMysql(s: TestServices): Promise<void> {
  const url = process.env[SERVICE_VARS.mysql] ?? 'mysql://root@127.0.0.1:3306/test';
  try {
    const conn = await createConnection({ uri: url.replace(/^mariadb:/, 'mysql:'), connectTimeout: 3000 });
    await conn.query('select 1');
    await conn.end();
    s.mysql = url;
  } catch {
    s.missing.mysql = `no MySQL/MariaDB at ${process.env[SERVICE_VARS.mysql] ? SERVICE_VARS.mysql : '127.0.0.1:3306'}; set ${SERVICE_VARS.mysql}`;
  }
}

async function findRedis(s: TestServices): Promise<void> {
  const url = process.env[SERVICE_VARS.redis] ?? 'redis://127.0.0.1:6379';
  const u = new URL(url);
  if (!(await portOpen(u.hostname, Number(u.port || 6379)))) {
    s.missing.redis = `no Redis at ${url}; set ${SERVICE_VARS.redis}`;
    return;
  }
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
    s.redis = url;
  } catch {
    s.missing.redis = `Redis at ${url} does not answer PING; set ${SERVICE_VARS.redis}`;
  } finally {
    redis.disconnect();
  }
}
