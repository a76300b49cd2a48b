import type { Provider } from '@nestjs/common';
import { KeyRotation } from './key-rotation';
import { MigrationRunner } from './migration-runner';
import { TenantAdminService } from './tenant-admin.service';
import { TenantFieldCrypto } from './tenant-field-crypto';
import { TenantLifecycle } from './tenant-lifecycle';
import { TenantRegistration } from './tenant-registration';

/** @internal Providers of the admin layer, for the core module (which exports only the facade). */
export const ADMIN_PROVIDERS: Provider[] = [
  TenantFieldCrypto,
  TenantRegistration,
  TenantLifecycle,
  MigrationRunner,
  KeyRotation,
  TenantAdminService,
];
