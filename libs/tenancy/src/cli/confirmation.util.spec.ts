import { PassThrough } from 'node:stream';
import { TenancyError } from '../errors/tenancy.error';
import { confirmDestructive } from './confirmation.util';

function terminal(answer: string | null, isTTY = true) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let asked = '';
  output.on('data', (chunk: Buffer) => {
    asked += chunk.toString();
    if (answer !== null) input.write(`${answer}\n`);
  });
  return { io: { input, output }, asked: () => asked };
}

describe('confirmDestructive (issue 12: destructive CLI commands)', () => {
  it('goes on with --yes without asking', async () => {
    const t = terminal(null, false);
    await expect(confirmDestructive('Drop it?', true, t.io)).resolves.toBeUndefined();
    expect(t.asked()).toBe('');
  });

  it('refuses without a terminal and without --yes, naming the flag', async () => {
    const t = terminal(null, false);
    await expect(confirmDestructive('Drop it?', false, t.io)).rejects.toThrow(/Drop it\? .*--yes/);
  });

  it('asks on a terminal: "yes" goes on, anything else cancels', async () => {
    const yes = terminal('yes');
    await expect(confirmDestructive('Drop acme?', false, yes.io)).resolves.toBeUndefined();
    expect(yes.asked()).toContain('Drop acme? Type "yes" to continue:');
    const no = terminal('no');
    const refused = confirmDestructive('Drop acme?', false, no.io);
    await expect(refused).rejects.toBeInstanceOf(TenancyError);
    await expect(refused).rejects.toThrow(/Cancelled/);
  });
});
