/** Internal injection tokens. Not exported from the index. */
export const TENANCY_OPTIONS = Symbol.for('nestjs-tenancy:options');
export const SKIP_TENANCY = 'nestjs-tenancy:skip';
export const TENANT_OPTIONAL = 'nestjs-tenancy:optional';
export const TENANCY_DATA_SOURCES = Symbol.for('nestjs-tenancy:data-sources');
