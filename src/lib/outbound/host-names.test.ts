import { describe, expect, it } from "vitest";
import { classifyHostName } from "./host-names";
import { classifyIp } from "./ip-ranges";

// The URL-level table is url-policy.test.ts; these are the cases a URL parser never lets through,
// kept refused in case a caller passes a host that did not come from `new URL`.
describe("classifyHostName and classifyIp on raw hosts", () => {
  it("refuses names whose last label reads as a number", () => {
    expect(classifyHostName("example.0x1")).toBe("numeric");
    expect(classifyHostName("1.2.3.4.5")).toBe("numeric");
    expect(classifyHostName("127.1")).toBe("numeric");
    expect(classifyHostName("example.com1")).toBeNull();
  });

  it("does not take a name or a non-canonical IPv4 form for an address", () => {
    expect(classifyIp("hooks.slack.com")).toBeUndefined();
    expect(classifyIp("0x7f.1")).toBeUndefined();
    expect(classifyIp("::1")).toBeUndefined();
    expect(classifyIp("[::1]")).toBe("loopback");
  });

  it("treats an IPv6 zone id as link-local", () => {
    expect(classifyIp("[fe80::1%eth0]")).toBe("link-local");
  });
});
