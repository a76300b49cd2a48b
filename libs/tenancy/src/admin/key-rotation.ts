import { Inject, Injectable } from '@nestjs/common';
import { optionLabel } from '../config/option-specs';
import { ENCRYPTED_METADATA_PREFIX } from '../crypto/field-encryptor';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import type { Tenant } from '../models/tenant.model';
import { TenantStore } from '../store/tenant-store.interface';
import type { KeyRotationReport } from './admin.types';
import { TenantFieldCrypto } from './tenant-field-crypto';

const PAGE = 200;

/**
 * @internal `rotateEncryptionKey`: rewrites, under the current `encryptionKey`, every tenant
 * holding a value encrypted with an older key (`encryptionKeys`) or a plain value in an
 * encrypted field. Runs again safely; a tenant no key opens is reported and left as it is.
 */
@Injectable()
export class KeyRotation {
  constructor(
    @Inject(TenantStore) private readonly store: TenantStore,
    private readonly crypto: TenantFieldCrypto,
  ) {}

  async rotate(): Promise<KeyRotationReport> {
    if (!this.crypto.encryptor) {
      throw new TenancyConfigError(
        `rotateEncryptionKey() needs ${optionLabel('enableEncryption')} on, with the new key in encryptionKey and the old ones in encryptionKeys`,
      );
    }
    const report = { scanned: 0, reEncrypted: 0, failed: [] as KeyRotationReport['failed'] };
    // Rewriting fields never changes the list order (createdAt, id), so offsets stay valid.
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.store.list({ offset, limit: PAGE });
      for (const tenant of page) await this.rotateOne(tenant, report);
      if (page.length < PAGE) return report;
    }
  }

  private async rotateOne(
    tenant: Tenant,
    report: { scanned: number; reEncrypted: number; failed: KeyRotationReport['failed'] },
  ): Promise<void> {
    report.scanned++;
    try {
      if (!this.crypto.needsRotation(tenant)) return;
      const { databaseUrl, metadata } = this.crypto.reEncrypt(tenant);
      if (databaseUrl !== tenant.databaseUrl) await this.store.update(tenant.id, { databaseUrl });
      // Only the secrets, merged: metadata written meanwhile (updateMetadata) is not lost.
      const secrets = Object.fromEntries(
        Object.entries(metadata).filter(([k]) => k.startsWith(ENCRYPTED_METADATA_PREFIX)),
      );
      if (Object.keys(secrets).length > 0) {
        if (this.store.updateMetadata) await this.store.updateMetadata(tenant.id, secrets);
        else await this.store.update(tenant.id, { metadata });
      }
      report.reEncrypted++;
    } catch (error) {
      report.failed.push({ tenant: tenant.identifier, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
