import { describe, expect, it } from "vitest";
import { ApiError } from "./errors/api-error";
import { publicOrigin } from "./public-origin";

const req = { url: "http://attacker.example:8080/api/v1/notifysimple?x=1" };

describe("publicOrigin", () => {
  it("uses PUBLIC_ORIGIN whatever Host the request carried", () => {
    expect(publicOrigin({ env: { PUBLIC_ORIGIN: "https://notify.example.gov" }, req })).toBe("https://notify.example.gov");
    expect(publicOrigin({ env: { PUBLIC_ORIGIN: " https://Notify.Example.gov/base/ " }, req })).toBe("https://notify.example.gov");
  });

  it("falls back to the request's origin when none is configured", () => {
    expect(publicOrigin({ env: {}, req })).toBe("http://attacker.example:8080");
    expect(publicOrigin({ env: { PUBLIC_ORIGIN: "" }, req })).toBe("http://attacker.example:8080");
  });

  it("refuses a PUBLIC_ORIGIN that is not an http(s) URL instead of falling back to Host", () => {
    for (const bad of ["notify.example.gov", "ftp://notify.example.gov", "javascript:alert(1)"]) {
      expect(() => publicOrigin({ env: { PUBLIC_ORIGIN: bad }, req })).toThrow(ApiError);
    }
  });
});
