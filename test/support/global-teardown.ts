import { rmSync } from 'node:fs';
import { SERVICES_FILE, readServices } from './services';

export default async function globalTeardown(): Promise<void> {
  const { embeddedPostgresPid } = readServices();
  rmSync(SERVICES_FILE, { force: true });
  if (!embeddedPostgresPid) return;
  try {
    process.kill(embeddedPostgresPid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(embeddedPostgresPid, 0);
    } catch {
      return;
    }
  }
}
