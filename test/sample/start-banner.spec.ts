import { resolveTenancyOptions } from '../../libs/tenancy/src/config/resolve-tenancy-options';
import { sampleSettings } from '../../apps/sample/src/sample.settings';
import { startBanner } from '../../apps/sample/src/start-banner';

/** Issue 18 item 6: the start-up banner never prints a real admin token. */
describe('sample start-up banner', () => {
  const options = resolveTenancyOptions({ databaseUrl: 'sqlite::memory:', enableMetrics: true });

  it('prints a placeholder, never the configured SAMPLE_ADMIN_TOKEN', () => {
    const banner = startBanner(
      'http://127.0.0.1:3000',
      options,
      sampleSettings({ SAMPLE_ADMIN_TOKEN: 'r3al-s3cret' }),
      [],
    );
    expect(banner).not.toContain('r3al-s3cret');
    expect(banner).toContain('Authorization: Bearer $SAMPLE_ADMIN_TOKEN');
    expect(banner).toContain('Bearer $SAMPLE_ADMIN_TOKEN" http://127.0.0.1:3000/metrics'); // metrics need it too
  });

  it('prints the development default as is, so the lines work out of the box', () => {
    const banner = startBanner('http://127.0.0.1:3000', options, sampleSettings({}), []);
    expect(banner).toContain('Authorization: Bearer dev-admin-token');
  });
});
