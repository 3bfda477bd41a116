import { json } from "./http";
import { asTenant, type TestTenant } from "./tenants";

const FINAL = new Set(["delivered", "partially-failed", "failed", "cancelled"]);

/** Polls the status API until the notification is final (or `until` holds), up to `timeoutMs`. */
export async function waitForNotification(
  tenant: TestTenant,
  notifyId: string,
  until: (n: any) => boolean = (n) => FINAL.has(n.status),
  timeoutMs = 15_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    if (until(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`notification ${notifyId} did not settle: ${JSON.stringify(last)}`);
}
