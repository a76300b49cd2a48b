import { Global, Module } from '@nestjs/common';
import { SAMPLE_SETTINGS, sampleSettings } from './sample.settings';

/** Makes `SAMPLE_SETTINGS` (port, admin token, data dir) injectable everywhere in the sample. */
@Global()
@Module({
  providers: [{ provide: SAMPLE_SETTINGS, useFactory: () => sampleSettings() }],
  exports: [SAMPLE_SETTINGS],
})
export class SampleSettingsModule {}
