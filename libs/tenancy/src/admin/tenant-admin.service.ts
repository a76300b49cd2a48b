import { Injectable } from '@nestjs/common';

/** Tenant lifecycle, encryption and migrations (being written: see issue 5). */
@Injectable()
export class TenantAdminService {}
