import { describe, expect, it } from "vitest";
import { checkOutboundUrl, DEFAULT_OUTBOUND_POLICY, outboundPolicy, type OutboundPolicy } from "./url-policy";

const strict = DEFAULT_OUTBOUND_POLICY;
const loopbackDev = outboundPolicy({ OUTBOUND_ALLOW_LOOPBACK: "true" });

/** The refusal reason, or "ok" with the canonical URL the fetch would use. */
function verdict(url: string, policy: OutboundPolicy = strict): string {
  const check = checkOutboundUrl(url, policy);
  return check.ok ? `ok ${check.url.href}` : check.reason;
}

const LOOPBACK = (host: string) => `Must not point at a loopback address (${host})`;

describe("checkOutboundUrl: public https receivers pass", () => {
  it.each([
    ["https://hooks.slack.com/services/T0/B0/secret", "ok https://hooks.slack.com/services/T0/B0/secret"],
    ["https://x.environment.api.powerplatform.com:443/powerautomate/invoke?api-version=1&sig=abc", "ok https://x.environment.api.powerplatform.com/powerautomate/invoke?api-version=1&sig=abc"],
    ["https://receiver.example.com:8443/hook", "ok https://receiver.example.com:8443/hook"],
    ["https://HOOKS.Slack.COM./x", "ok https://hooks.slack.com./x"],
    ["https://93.184.215.14/hook", "ok https://93.184.215.14/hook"],
    ["https://[2606:4700:4700::1111]/hook", "ok https://[2606:4700:4700::1111]/hook"],
    // A public IPv4 address embedded in IPv6 is as public as the address itself.
    ["https://[::ffff:8.8.8.8]/", "ok https://[::ffff:808:808]/"],
    ["https://[64:ff9b::808:808]/", "ok https://[64:ff9b::808:808]/"],
    ["https://bücher.example/hook", "ok https://xn--bcher-kva.example/hook"],
  ])("%s", (url, expected) => {
    expect(verdict(url)).toBe(expected);
  });
});

describe("checkOutboundUrl: IPv4 in every notation is classified by its canonical form", () => {
  it.each([
    ["http://127.0.0.1/", LOOPBACK("127.0.0.1")],
    ["https://127.0.0.1/", LOOPBACK("127.0.0.1")],
    ["https://127.255.255.254:8443/", LOOPBACK("127.255.255.254")],
    ["http://2130706433/", LOOPBACK("127.0.0.1")],
    ["http://0x7f000001/", LOOPBACK("127.0.0.1")],
    ["http://0x7f.1/", LOOPBACK("127.0.0.1")],
    ["http://0177.0.0.1/", LOOPBACK("127.0.0.1")],
    ["http://0177.1/", LOOPBACK("127.0.0.1")],
    ["http://127.1/", LOOPBACK("127.0.0.1")],
    ["http://127.0.1/", LOOPBACK("127.0.0.1")],
    ["http://0x7f.0.0x0.01/", LOOPBACK("127.0.0.1")],
    ["http://127.0.0.1./", LOOPBACK("127.0.0.1")],
    ["https://%31%32%37.0.0.1/", LOOPBACK("127.0.0.1")],
    ["https://１２７.０.０.１/", LOOPBACK("127.0.0.1")],
    ["http://0/", "Must not point at an unspecified address (0.0.0.0)"],
    ["https://0.0.0.0/", "Must not point at an unspecified address (0.0.0.0)"],
    ["https://10.0.0.1/", "Must not point at a private network address (10.0.0.1)"],
    ["https://167772161/", "Must not point at a private network address (10.0.0.1)"],
    ["https://172.16.0.1/", "Must not point at a private network address (172.16.0.1)"],
    ["https://172.31.255.255/", "Must not point at a private network address (172.31.255.255)"],
    ["https://192.168.1.1/", "Must not point at a private network address (192.168.1.1)"],
    ["https://0xc0a80101/", "Must not point at a private network address (192.168.1.1)"],
    ["http://169.254.169.254/", "Must not point at a cloud metadata address (169.254.169.254)"],
    ["http://2852039166/", "Must not point at a cloud metadata address (169.254.169.254)"],
    ["http://0xa9.0xfe.0xa9.0xfe/", "Must not point at a cloud metadata address (169.254.169.254)"],
    ["https://169.254.170.2/v2/credentials", "Must not point at a cloud metadata address (169.254.170.2)"],
    ["https://100.100.100.200/", "Must not point at a cloud metadata address (100.100.100.200)"],
    ["https://168.63.129.16/", "Must not point at a cloud metadata address (168.63.129.16)"],
    ["https://169.254.1.1/", "Must not point at a link-local address (169.254.1.1)"],
    ["https://100.64.0.1/", "Must not point at a carrier-grade NAT address (100.64.0.1)"],
    ["https://224.0.0.1/", "Must not point at a multicast address (224.0.0.1)"],
    ["https://255.255.255.255/", "Must not point at the broadcast address (255.255.255.255)"],
    ["https://192.0.2.1/", "Must not point at a reserved, documentation or benchmarking address (192.0.2.1)"],
    ["https://198.18.0.1/", "Must not point at a reserved, documentation or benchmarking address (198.18.0.1)"],
    ["https://203.0.113.9/", "Must not point at a reserved, documentation or benchmarking address (203.0.113.9)"],
    ["https://240.0.0.1/", "Must not point at a reserved, documentation or benchmarking address (240.0.0.1)"],
  ])("%s", (url, expected) => {
    expect(verdict(url)).toBe(expected);
  });
});

describe("checkOutboundUrl: IPv6 in every notation, including IPv4 embedded in it", () => {
  it.each([
    ["http://[::1]/", LOOPBACK("[::1]")],
    ["https://[0:0:0:0:0:0:0:1]/", LOOPBACK("[::1]")],
    ["https://[0000::0001]:8443/", LOOPBACK("[::1]")],
    ["https://[::]/", "Must not point at an unspecified address ([::])"],
    ["https://[::ffff:127.0.0.1]/", LOOPBACK("[::ffff:7f00:1]")],
    ["https://[::ffff:7f00:1]/", LOOPBACK("[::ffff:7f00:1]")],
    ["https://[0:0:0:0:0:ffff:7f00:0001]/", LOOPBACK("[::ffff:7f00:1]")],
    ["https://[::ffff:0:127.0.0.1]/", LOOPBACK("[::ffff:0:7f00:1]")],
    ["https://[::127.0.0.1]/", LOOPBACK("[::7f00:1]")],
    ["https://[::ffff:10.1.2.3]/", "Must not point at a private network address ([::ffff:a01:203])"],
    ["https://[::ffff:169.254.169.254]/", "Must not point at a cloud metadata address ([::ffff:a9fe:a9fe])"],
    ["https://[64:ff9b::a9fe:a9fe]/", "Must not point at a cloud metadata address ([64:ff9b::a9fe:a9fe])"],
    ["https://[64:ff9b::127.0.0.1]/", LOOPBACK("[64:ff9b::7f00:1]")],
    ["https://[64:ff9b:1::a00:1]/", "Must not point at a reserved, documentation or benchmarking address ([64:ff9b:1::a00:1])"],
    ["https://[2002:7f00:1::1]/", LOOPBACK("[2002:7f00:1::1]")],
    ["https://[2002:a9fe:a9fe::]/", "Must not point at a cloud metadata address ([2002:a9fe:a9fe::])"],
    ["https://[2002:c0a8:101::1]/", "Must not point at a private network address ([2002:c0a8:101::1])"],
    ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Must not point at an IPv6 tunnel (Teredo) address ([2001:0:4136:e378:8000:63bf:3fff:fdd2])"],
    ["https://[fe80::1]/", "Must not point at a link-local address ([fe80::1])"],
    ["https://[febf::1]/", "Must not point at a link-local address ([febf::1])"],
    ["https://[fec0::1]/", "Must not point at a site-local address ([fec0::1])"],
    ["https://[fc00::]/", "Must not point at a unique-local address ([fc00::])"],
    ["https://[fd12:3456:789a::1]/", "Must not point at a unique-local address ([fd12:3456:789a::1])"],
    ["https://[fd00:ec2::254]/", "Must not point at a cloud metadata address ([fd00:ec2::254])"],
    ["https://[ff02::1]/", "Must not point at a multicast address ([ff02::1])"],
    ["https://[2001:db8::1]/", "Must not point at a reserved, documentation or benchmarking address ([2001:db8::1])"],
    ["https://[100::1]/", "Must not point at a reserved, documentation or benchmarking address ([100::1])"],
    // URLs have no syntax for a zone id: fe80::1%25eth0 does not parse at all.
    ["https://[fe80::1%25eth0]/", "Not a valid URL"],
    ["https://[fe80::1%eth0]/", "Not a valid URL"],
  ])("%s", (url, expected) => {
    expect(verdict(url)).toBe(expected);
  });
});

describe("checkOutboundUrl: host names", () => {
  it.each([
    ["http://localhost/", "Must not point at a loopback host name (localhost)"],
    ["https://localhost:8787/", "Must not point at a loopback host name (localhost)"],
    ["https://LocalHost./", "Must not point at a loopback host name (localhost.)"],
    ["https://localhost../", "Must not point at a loopback host name (localhost..)"],
    ["https://foo.localhost/", "Must not point at a loopback host name (foo.localhost)"],
    ["https://foo.localhost./", "Must not point at a loopback host name (foo.localhost.)"],
    ["http://metadata.google.internal/computeMetadata/v1/", "Must not point at a cloud metadata host name (metadata.google.internal)"],
    ["https://METADATA.google.internal./", "Must not point at a cloud metadata host name (metadata.google.internal.)"],
    ["https://metadata/", "Must not point at a cloud metadata host name (metadata)"],
    ["https://instance-data/latest/meta-data/", "Must not point at a cloud metadata host name (instance-data)"],
    ["https://x.internal/", "Must not point at an internal host name (x.internal)"],
    ["https://db.corp.internal./", "Must not point at an internal host name (db.corp.internal.)"],
    ["https://printer.local/", "Must not point at an internal host name (printer.local)"],
    ["https://nas.home.arpa/", "Must not point at an internal host name (nas.home.arpa)"],
    ["https://router.localdomain/", "Must not point at an internal host name (router.localdomain)"],
    ["https://intranet/", "Must not point at an internal host name (intranet)"],
    ["https://intranet./", "Must not point at an internal host name (intranet.)"],
  ])("%s", (url, expected) => {
    expect(verdict(url)).toBe(expected);
  });
});

describe("checkOutboundUrl: scheme, credentials, port", () => {
  it("refuses http to a public host, and every other scheme", () => {
    expect(verdict("http://hooks.slack.com/services/T0/B0/x")).toBe("Must be an https URL");
    for (const url of ["ftp://example.com/hook", "javascript:alert(1)", "file:///etc/passwd", "data:text/plain,hi", "ws://example.com/", "gopher://example.com:70/"]) {
      expect(verdict(url)).toBe("Must be an https URL");
    }
  });

  it("refuses a user name or password, even an empty one", () => {
    expect(verdict("https://user:password@example.com/hook")).toBe("Must not contain a user name or password");
    expect(verdict("https://token@example.com/hook")).toBe("Must not contain a user name or password");
    expect(verdict("https://:pw@example.com/hook")).toBe("Must not contain a user name or password");
    // The host after the @ is the one that counts: this one is a public name with credentials.
    expect(verdict("https://127.0.0.1@example.com/")).toBe("Must not contain a user name or password");
  });

  it("allows only 443 and 8443", () => {
    expect(verdict("https://example.com:443/x")).toBe("ok https://example.com/x");
    expect(verdict("https://example.com:22/")).toBe("Must use port 443 or 8443 (not 22)");
    expect(verdict("https://example.com:6379/")).toBe("Must use port 443 or 8443 (not 6379)");
    expect(verdict("https://example.com:80/")).toBe("Must use port 443 or 8443 (not 80)");
  });

  it("refuses what is not a URL", () => {
    for (const url of ["", "hooks.slack.com/services/T0/B0/x", "https://", "not a url", "https://exa mple.com/", "https://[::1/"]) {
      expect(verdict(url)).toBe("Not a valid URL");
    }
  });

  it("refuses host names that read as numbers without being addresses", () => {
    expect(verdict("https://1.2.3.4.5/")).toBe("Not a valid URL");
    expect(verdict("https://example.0x1/")).toBe("Not a valid URL");
  });
});

describe("checkOutboundUrl: OUTBOUND_ALLOW_LOOPBACK (local development)", () => {
  it("is on only for exactly \"true\"", () => {
    expect(outboundPolicy({ OUTBOUND_ALLOW_LOOPBACK: "1" }).allowLoopback).toBe(false);
    expect(outboundPolicy({ OUTBOUND_ALLOW_LOOPBACK: "TRUE" }).allowLoopback).toBe(false);
    expect(outboundPolicy({}).allowLoopback).toBe(false);
    expect(loopbackDev.allowLoopback).toBe(true);
  });

  it("allows loopback receivers over http or https, on any port, in any notation", () => {
    for (const [url, canonical] of [
      ["http://127.0.0.1:8787/dev/sink/slack/T/B/x", "http://127.0.0.1:8787/dev/sink/slack/T/B/x"],
      ["https://127.0.0.1/", "https://127.0.0.1/"],
      ["http://127.1:9000/", "http://127.0.0.1:9000/"],
      ["http://[::1]:8080/hook", "http://[::1]:8080/hook"],
      ["http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/"],
      ["http://localhost:3000/hook", "http://localhost:3000/hook"],
      ["http://localhost.:3000/hook", "http://localhost.:3000/hook"],
    ]) {
      expect(verdict(url!, loopbackDev)).toBe(`ok ${canonical}`);
    }
  });

  it("keeps every other range and name refused, and http elsewhere", () => {
    expect(verdict("http://10.0.0.1/", loopbackDev)).toBe("Must not point at a private network address (10.0.0.1)");
    expect(verdict("http://169.254.169.254/", loopbackDev)).toBe("Must not point at a cloud metadata address (169.254.169.254)");
    expect(verdict("http://0.0.0.0:8787/", loopbackDev)).toBe("Must not point at an unspecified address (0.0.0.0)");
    expect(verdict("http://[fd00:ec2::254]/", loopbackDev)).toBe("Must not point at a cloud metadata address ([fd00:ec2::254])");
    expect(verdict("http://metadata.google.internal/", loopbackDev)).toBe("Must not point at a cloud metadata host name (metadata.google.internal)");
    expect(verdict("http://foo.localhost/", loopbackDev)).toBe("Must not point at a loopback host name (foo.localhost)");
    expect(verdict("http://example.com/hook", loopbackDev)).toBe("Must be an https URL (http is allowed for loopback receivers only)");
    expect(verdict("https://example.com:8080/hook", loopbackDev)).toBe("Must use port 443 or 8443 (not 8080)");
    expect(verdict("http://user:pw@127.0.0.1/", loopbackDev)).toBe("Must not contain a user name or password");
  });
});

describe("checkOutboundUrl: PUBLIC_ORIGIN (the service itself)", () => {
  const deployed = outboundPolicy({ PUBLIC_ORIGIN: "https://Notify.Example.gov" });

  it("refuses this service's own host, on any path or port", () => {
    expect(deployed.selfHost).toBe("notify.example.gov");
    expect(verdict("https://notify.example.gov/api/v1/tenants", deployed)).toBe("Must not point at this service itself (notify.example.gov)");
    expect(verdict("https://NOTIFY.example.gov.:8443/x", deployed)).toBe("Must not point at this service itself (notify.example.gov.)");
    expect(verdict("https://other.example.gov/x", deployed)).toBe("ok https://other.example.gov/x");
  });

  it("names no host when unset or unparsable", () => {
    expect(outboundPolicy({}).selfHost).toBeNull();
    expect(outboundPolicy({ PUBLIC_ORIGIN: "not a url" }).selfHost).toBeNull();
  });

  it("leaves the local sink on a loopback origin usable in loopback mode", () => {
    const local = outboundPolicy({ PUBLIC_ORIGIN: "http://127.0.0.1:8787", OUTBOUND_ALLOW_LOOPBACK: "true" });
    expect(verdict("http://127.0.0.1:8787/dev/sink/slack/T/B/x", local)).toBe("ok http://127.0.0.1:8787/dev/sink/slack/T/B/x");
    expect(verdict("http://127.0.0.1:8787/dev/sink/slack/T/B/x", outboundPolicy({ PUBLIC_ORIGIN: "http://127.0.0.1:8787" }))).toBe(LOOPBACK("127.0.0.1"));
  });
});
