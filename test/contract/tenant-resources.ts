import type { CallOptions } from "../helpers/http";
import type { TestTenant } from "../helpers/tenants";

export interface ResourceOperation {
  method: string;
  path: string;
  options?: CallOptions;
}

/**
 * A tenant-owned resource for the isolation contract: `create` makes one as `owner` and returns
 * the operations that address it. The contract then checks that another tenant gets 404 from
 * every one of them, and that the owner still sees the resource unchanged afterwards.
 * Every route that addresses a tenant's resource by id must add an entry here.
 */
export interface TenantResource {
  name: string;
  create(owner: TestTenant): Promise<{ read: ResourceOperation; operations: ResourceOperation[] }>;
}

export const tenantResources: TenantResource[] = [];
