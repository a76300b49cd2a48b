export { fernetDecrypt, fernetEncrypt } from './fernet';
export type { FernetDecryptOptions, FernetEncryptOptions } from './fernet';
export { deriveFernetKey } from './hkdf.util';
export { ENCRYPTED_METADATA_PREFIX, ENCRYPTED_PREFIX, FieldEncryptor } from './field-encryptor';
export type { EncryptableTenantFields, FieldEncryptorOptions } from './field-encryptor';
