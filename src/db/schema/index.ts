export * from "./tenants";
export * from "./api-keys";
