import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { Browser } from "playwright-core";
import { launch, offlinePage } from "./helpers/browser";

const { baseUrl } = inject("service");

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1 with security schemes", async () => {
    const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["operatorToken", "tenantApiKey", "tenantJwt"]);
    expect(doc.servers).toEqual([{ url: baseUrl }]);
  });
});

describe("/docs", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders every operation with no internet access", async () => {
    const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as any;
    const operations = Object.values(doc.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
    const { page, blocked, errors } = await offlinePage(browser, baseUrl);
    await page.goto(`${baseUrl}/docs`);
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    expect(await page.locator(".opblock").count()).toBe(operations);
    expect(await page.locator(".info .title").innerText()).toContain("Edge Notify API");
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
