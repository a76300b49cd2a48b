import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { optionProblem } from './option-specs';

const STRATEGIES = ['schema', 'database', 'rls', 'hybrid'];
const TIER_STRATEGIES = ['schema', 'database', 'rls'];
const RESOLUTIONS = ['header', 'subdomain', 'path', 'jwt', 'custom'];
const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
];
const msg = (o: string, text: string) => ({ message: optionProblem(o, text) });
const oneOf = (o: string, v: string[]) => msg(o, `must be one of ${v.join(', ')}`);
const int = (o: string, min: number, max = 1_000_000_000) => [
  IsInt(msg(o, 'must be a whole number')),
  Min(min, msg(o, `must be at least ${min}`)),
  Max(max, msg(o, `must be at most ${max}`)),
];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (t, k) =>
    decorators.forEach((d) => d(t, k));

/**
 * class-validator schema of the options; cross-field rules live in `resolve-tenancy-options.ts`.
 * Only the first failed constraint of a field is reported, and decorators register bottom-up:
 * keep the type check closest to the property so it is the one reported.
 */
export class TenancyOptionsSchema {
  @Matches(
    /^(postgres(ql)?|mysql|mariadb|mssql):\/\/.+|^sqlite:.+/,
    msg('databaseUrl', 'must start with postgresql://, mysql://, mariadb://, mssql:// or sqlite:'),
  )
  @IsString(msg('databaseUrl', 'is required (postgresql://, mysql://, mariadb://, mssql:// or sqlite:<path>)'))
  databaseUrl!: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, msg('migrationDatabaseUrl', 'must start with postgresql://'))
  migrationDatabaseUrl?: string;

  @IsIn(STRATEGIES, oneOf('isolationStrategy', STRATEGIES)) isolationStrategy!: string;
  @IsIn(RESOLUTIONS, oneOf('resolutionStrategy', RESOLUTIONS)) resolutionStrategy!: string;
  @Matches(/^[A-Za-z0-9-]{1,64}$/, msg('tenantHeaderName', 'must be a valid HTTP header name'))
  tenantHeaderName!: string;
  @IsOptional()
  @Matches(/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/, msg('domainSuffix', 'must be a lower-case domain such as example.com'))
  domainSuffix?: string;
  @IsBoolean(msg('trustProxy', 'must be a boolean')) trustProxy!: boolean;
  @IsArray(msg('trustedProxies', 'must be a list')) trustedProxies!: string[];
  @Matches(/^\/([A-Za-z0-9_-]+\/)*$/, msg('pathPrefix', 'must start and end with "/", e.g. /t/')) pathPrefix!: string;
  @IsOptional() @IsString(msg('jwtSecret', 'must be a string')) jwtSecret?: string;
  @MinLength(1, msg('jwtTenantClaim', 'must not be empty')) jwtTenantClaim!: string;
  @IsIn(JWT_ALGORITHMS, { each: true, ...oneOf('jwtAlgorithms', JWT_ALGORITHMS) })
  @ArrayNotEmpty(msg('jwtAlgorithms', 'must list at least one algorithm'))
  @IsArray(msg('jwtAlgorithms', 'must be a list'))
  jwtAlgorithms!: string[];
  // An empty aud/iss would switch jsonwebtoken's check off: refused rather than ignored.
  @IsOptional()
  @MinLength(1, msg('jwtAudience', 'must not be empty'))
  @IsString(msg('jwtAudience', 'must be a string'))
  jwtAudience?: string;
  @IsOptional()
  @MinLength(1, msg('jwtIssuer', 'must not be empty'))
  @IsString(msg('jwtIssuer', 'must be a string'))
  jwtIssuer?: string;
  @apply(int('jwtLeewaySeconds', 0, 3600)) jwtLeewaySeconds!: number;
  @IsBoolean(msg('jwtRequireExp', 'must be a boolean')) jwtRequireExp!: boolean;
  @Matches(/^[a-z][a-z0-9_]{0,15}$/, msg('schemaPrefix', 'must match ^[a-z][a-z0-9_]{0,15}$')) schemaPrefix!: string;
  @IsOptional() @IsString(msg('databaseUrlTemplate', 'must be a string')) databaseUrlTemplate?: string;
  @Matches(/^[a-z][a-z0-9_]{0,15}$/, msg('databasePrefix', 'must match ^[a-z][a-z0-9_]{0,15}$'))
  databasePrefix!: string;
  @IsIn(TIER_STRATEGIES, oneOf('premiumIsolationStrategy', TIER_STRATEGIES)) premiumIsolationStrategy!: string;
  @IsIn(TIER_STRATEGIES, oneOf('standardIsolationStrategy', TIER_STRATEGIES)) standardIsolationStrategy!: string;
  @IsArray(msg('premiumTenants', 'must be a list')) premiumTenants!: string[];
  @IsArray(msg('entities', 'must be a list')) entities!: unknown[];
  @IsArray(msg('migrations', 'must be a list')) migrations!: unknown[];
  @IsBoolean(msg('cacheEnabled', 'must be a boolean')) cacheEnabled!: boolean;
  @IsOptional() @Matches(/^rediss?:\/\/.+/, msg('redisUrl', 'must start with redis:// or rediss://')) redisUrl?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9:_{}.-]{1,100}$/, msg('redisKeyPrefix', 'must be 1-100 characters of A-Z a-z 0-9 : _ { } . -'))
  redisKeyPrefix?: string;
  @apply(int('l1CacheMaxSize', 1)) l1CacheMaxSize!: number;
  @apply(int('l1CacheTtlSeconds', 1, 86400)) l1CacheTtlSeconds!: number;
  @IsBoolean(msg('enableEncryption', 'must be a boolean')) enableEncryption!: boolean;
  @IsOptional() @IsString(msg('encryptionKey', 'must be a string')) encryptionKey?: string;
  @MinLength(32, { each: true, ...msg('encryptionKeys', 'entries must be at least 32 characters') })
  @IsArray(msg('encryptionKeys', 'must be a list'))
  encryptionKeys!: string[];
  @MinLength(1, msg('encryptionHkdfInfo', 'must not be empty')) encryptionHkdfInfo!: string;
  @IsBoolean(msg('enableRateLimiting', 'must be a boolean')) enableRateLimiting!: boolean;
  @apply(int('rateLimitMaxRequests', 1)) rateLimitMaxRequests!: number;
  @apply(int('rateLimitWindowSeconds', 1, 86400)) rateLimitWindowSeconds!: number;
  @apply(int('maxTenants', 0)) maxTenants!: number;
  @apply(int('ddlLockTimeoutMs', 0, 3_600_000)) ddlLockTimeoutMs!: number;
  @IsBoolean(msg('enableMetrics', 'must be a boolean')) enableMetrics!: boolean;
  @apply(int('poolSize', 1, 1000)) poolSize!: number;
  @apply(int('maxCachedDataSources', 1, 100000)) maxCachedDataSources!: number;
  @IsIn(['session', 'transaction'], oneOf('scopeMode', ['session', 'transaction'])) scopeMode!: string;
  @apply(int('connectTimeoutMs', 1, 600_000)) connectTimeoutMs!: number;
  @apply(int('statementTimeoutMs', 0, 86_400_000)) statementTimeoutMs!: number;
  @IsBoolean(msg('mountGuard', 'must be a boolean')) mountGuard!: boolean;
  @IsArray(msg('resolvers', 'must be a list')) resolvers!: unknown[];
}
