export * from './tenancy.error';
export * from './tenancy-config.error';
export * from './tenant-context-missing.error';
export * from './tenant-not-found.error';
export * from './tenant-already-exists.error';
export * from './tenant-provisioning.error';
export * from './tenant-decryption.error';
