import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /admin/tenants`. The library validates the identifier rule itself. */
export class RegisterTenantDto {
  @IsString()
  @MaxLength(255)
  identifier!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @IsString()
  tier?: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

/** Body of `POST /admin/tenants/migrate` (all fields optional). */
export class MigrateTenantsDto {
  @IsOptional()
  @IsString({ each: true })
  tenants?: string[];

  @IsOptional()
  concurrency?: number;
}
