/**
 * Who may use the admin UI (issue 13): operator sign-in (admin token or Cloudflare Access),
 * tenant users invited by a one-time emailed link, sessions, roles, and the audit log.
 * Transport-free: admin/ calls these with its contexts.
 */
export * from "./audit";
export * from "./audit-log";
export * from "./context";
export * from "./invites";
export * from "./operator";
export * from "./roles";
export * from "./sessions";
export * from "./view-as";
