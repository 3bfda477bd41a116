export * from "./tenants";
export * from "./api-keys";
export * from "./templates";
export * from "./notifications";
export * from "./guest-list";
