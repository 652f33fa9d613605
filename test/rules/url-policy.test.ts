import { describe, expect, it } from "vitest";
import { checkDestinationUrl, checkRenderedUrl } from "../../src/rules/url-policy";

const PUBLIC = { allowPrivate: false };
const LOCAL_DEV = { allowPrivate: true };

// Must be rejected in production (allowPrivate: false).
const REJECTED: string[] = [
  // Loopback, in every spelling the WHATWG parser normalizes to 127.0.0.1.
  "https://127.0.0.1/",
  "https://127.0.0.1:443/",
  "https://127.0.0.1:8443/x",
  "https://127.255.255.254/",
  "https://2130706433/",
  "https://0177.0.0.1/",
  "https://0x7f.1/",
  "https://127.1/",
  "https://0x7f000001/",
  "https://017700000001/",
  "https://0x7f.0x0.0x0.0x1/",
  "https://127.000.000.001/",
  "https://１２７.０.０.１/",
  "https://１２７。０。０。１/",
  "https://%31%32%37.0.0.1/",
  "https://127.0.0.1./",
  "https://127.0.0.1%2e/",
  "https:\\\\127.0.0.1\\",
  "https:/127.0.0.1/",
  "https:127.0.0.1/",
  "https:///127.0.0.1/",
  "HTTPS://127.0.0.1/",
  // Unspecified / "this network" 0.0.0.0/8.
  "https://0/",
  "https://0x0/",
  "https://0.0.0.0/",
  "https://0.1.2.3/",
  // RFC 1918 private.
  "https://10.0.0.1/",
  "https://10.255.255.255/",
  "https://012.0.0.1/",
  "https://167772161/",
  "https://172.16.0.1/",
  "https://172.31.255.255/",
  "https://192.168.1.1/",
  "https://192.168.0.1:8443/",
  // Link-local, including cloud metadata.
  "https://169.254.169.254/latest/meta-data",
  "https://169.254.0.1/",
  "https://0xa9fea9fe/",
  "https://2852039166/",
  // CGNAT 100.64/10.
  "https://100.64.0.1/",
  "https://100.127.255.255/",
  // IETF assignments, documentation, benchmarking, 6to4 relay, AS112, AMT.
  "https://192.0.0.1/",
  "https://192.0.0.170/",
  "https://192.0.2.1/",
  "https://198.51.100.7/",
  "https://203.0.113.9/",
  "https://198.18.0.1/",
  "https://198.19.255.255/",
  "https://192.88.99.1/",
  "https://192.31.196.1/",
  "https://192.175.48.1/",
  "https://192.52.193.1/",
  // Multicast, reserved 240/4, broadcast.
  "https://224.0.0.1/",
  "https://239.255.255.250/",
  "https://240.0.0.1/",
  "https://250.1.2.3/",
  "https://255.255.255.255/",
  // IPv6 loopback / unspecified.
  "https://[::1]/",
  "https://[0:0:0:0:0:0:0:1]/",
  "https://[::]/",
  // IPv6 forms that embed IPv4 (even a public one).
  "https://[::ffff:127.0.0.1]/",
  "https://[::ffff:7f00:1]/",
  "https://[::ffff:10.0.0.1]/",
  "https://[::ffff:8.8.8.8]/",
  "https://[::127.0.0.1]/",
  "https://[::8.8.8.8]/",
  "https://[::ffff:0:7f00:1]/",
  "https://[64:ff9b::a00:1]/",
  "https://[64:ff9b::127.0.0.1]/",
  "https://[64:ff9b:1::a00:1]/",
  "https://[2002:7f00:1::]/",
  "https://[2002:808:808::1]/",
  "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
  // IPv6 documentation, benchmarking, ORCHID, discard, site-local, link-local, ULA, multicast, SRv6.
  "https://[2001:db8::1]/",
  "https://[2001:db8:85a3::8a2e:370:7334]/",
  "https://[3fff::1]/",
  "https://[2001:2::1]/",
  "https://[2001:10::1]/",
  "https://[2001:20::1]/",
  "https://[2001:30::1]/",
  "https://[100::1]/",
  "https://[fec0::1]/",
  "https://[fe80::1]/",
  "https://[febf::1]/",
  "https://[fc00::1]/",
  "https://[fd12::1]/",
  "https://[fd00:ec2::254]/",
  "https://[ff02::1]/",
  "https://[ff05::2]/",
  "https://[5f00::1]/",
  // IPv6 outside 2000::/3 (unassigned), which ipaddr.js would call unicast.
  "https://[4000::1]/",
  "https://[::2]/",
  "https://[1::1]/",
  // Local names.
  "https://localhost/",
  "https://LOCALHOST/",
  "https://localhost./",
  "https://LocalHost:8443/",
  "https://localhost%2e/",
  "https://%6c%6f%63%61%6c%68%6f%73%74/",
  "https://ｌｏｃａｌｈｏｓｔ/",
  "https://localhost。/",
  "https://api.localhost/",
  "https://a.b.localhost/",
  "https://localhost.localdomain/",
  "https://printer.localdomain/",
  // Special-use and undelegated suffixes.
  "https://metadata.google.internal/",
  "https://host.docker.internal/",
  "https://printer.local/",
  "https://printer.local./",
  "https://a.b.home.arpa/",
  "https://home.arpa/",
  "https://1.0.0.127.in-addr.arpa/",
  "https://x.test/",
  "https://x.invalid/",
  "https://www.example/",
  "https://x.onion/",
  "https://x.alt/",
  "https://nas.lan/",
  "https://x.corp/",
  "https://router.home/",
  "https://wiki.intranet/",
  "https://x.private/",
  // Single-label and malformed names.
  "https://intranet/",
  "https://com/",
  "https://printer/",
  "https://printer./",
  "https://example..com/",
  "https://.example.com/",
  "https://./",
  "https://../",
  // Schemes other than https.
  "http://example.com/",
  "HTTP://example.com/",
  "ftp://example.com/",
  "javascript:alert(1)",
  "file:///etc/passwd",
  "data:text/plain,hi",
  "ws://example.com/",
  "wss://example.com/",
  "gopher://example.com/",
  "mailto:a@example.com",
  "blob:https://example.com/x",
  // Userinfo, including forms where the parsed username is empty.
  "https://user:pass@example.com/",
  "https://user@example.com/",
  "https://:pass@example.com/",
  "https://@example.com/",
  "https:@example.com/",
  "https:\\\\@example.com/",
  "https://user%40x@example.com/",
  "https://127.0.0.1%2F@example.com",
  "https://example.com@127.0.0.1/",
  "https://a:b@c:d@example.com/",
  // Port 0 and Fetch bad ports.
  "https://example.com:0/",
  "https://example.com:00/",
  "https://example.com:22/",
  "https://example.com:0022/",
  "https://example.com:1/",
  "https://example.com:25/",
  "https://example.com:53/",
  "https://example.com:6665/",
  "https://example.com:6666/",
  "https://example.com:6669/",
  "https://example.com:5060/",
  "https://example.com:10080/",
  // Raw whitespace and control characters (the parser would silently drop or strip them).
  "https://example.com /",
  "https://exa\tmple.com/",
  "https://exa\nmple.com/",
  "https://example.com/\n",
  "https://example.com/\r\n",
  "  https://8.8.8.8/",
  "https://8.8.8.8/ ",
  "\thttps://example.com/",
  "java\nscript:alert(1)",
  "https://example.com/\u0000",
  "https://example.com/\u001f",
  "https://example.com/\u007f",
  "https://example.com/\u0085",
  "https://example.com/\u00a0",
  "https://\u3000example.com/",
  "https://example.com/\ufeff",
  // Unparseable or relative.
  "",
  "example.com",
  "//example.com/",
  "/webhooks",
  "https://",
  "https://[::1/",
  "https://[fe80::1%25eth0]/",
  "https://example.com:65536/",
  "https://999.0.0.1/",
  "https://1.2.3.4.5/",
  "https://example.123/",
  "https://ex%00ample.com/",
  // Too long.
  `https://example.com/${"a".repeat(2048)}`,
];

// Must be accepted in production.
const ACCEPTED: string[] = [
  "https://example.com/webhooks/leadpush",
  "https://api.example.com:8443/x?y=1",
  "https://www.example.com/",
  "https://example.net/",
  "https://a-b.c-d.co.uk/",
  "https://hooks.slack.com/services/T000/B000/XXX",
  "https://8.8.8.8/",
  "https://1.1.1.1/hook",
  "https://1.2.3.4/",
  "https://[2606:4700:4700::1111]/",
  "https://[2001:4860:4860::8888]/",
  "https://[2a00:1450:4001::1]/",
  "https://[2001:200::1]/",
  // Names that merely look local are public DNS names.
  "https://localhost-api.example.com/",
  "https://10.example.com/",
  "https://my.localhost.example.com/",
  "https://127.0.0.1.nip.io/",
  "https://169.254.169.254.nip.io/",
  "https://test.com/",
  "https://local.com/",
  "https://internal.example.org/",
  "https://exa_mple.com/",
  // Normalizations of public hosts.
  "https://EXAMPLE.COM./x",
  "https://xn--nxasmq6b.com/",
  "https://bücher.de/",
  "https:example.com/",
  "https:/example.com/",
  // Ports.
  "https://example.com:443/",
  "https://example.com:/",
  "https://example.com:8080/",
  "https://example.com:65535/",
  // Public IPv4 just outside special ranges.
  "https://172.32.0.1/",
  "https://172.15.255.255/",
  "https://100.128.0.1/",
  "https://100.63.255.255/",
  "https://11.0.0.1/",
  "https://192.169.0.1/",
  "https://198.17.255.255/",
  "https://198.20.0.1/",
  "https://223.255.255.255/",
  // `@` outside the authority is fine.
  "https://example.com/a@b",
  "https://example.com/?x=a@b",
  "https://example.com/#frag@x",
  "https://example.com/%20encoded?q=%0A",
  `https://example.com/${"a".repeat(2048 - "https://example.com/".length)}`,
];

// Local development (allowPrivate: true).
const ACCEPTED_LOCAL_DEV: string[] = [
  "http://127.0.0.1:8080/hook",
  "http://localhost:9999/",
  "https://10.0.0.1/",
  "http://[::1]:8787/",
  "http://192.168.1.20/",
  "http://host.docker.internal:8080/",
  "http://receiver:3000/",
  "http://printer.local/",
  "https://169.254.169.254/",
  "http://0.0.0.0:8080/",
  "http://[fd12::1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://example.com/",
  "https://example.com/",
];

const REJECTED_LOCAL_DEV: string[] = [
  "http://user:pw@127.0.0.1/",
  "http://@localhost/",
  "http://127.0.0.1:22/",
  "http://localhost:0/",
  "ftp://127.0.0.1/",
  "file:///etc/passwd",
  "javascript:alert(1)",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
  "http://[ff02::1]/",
  "http://127.0.0.1 /",
  "http://a..b/",
];

// The reason names what the user has to change.
const REASONS: [string, string][] = [
  ["https://127.0.0.1/", "127.0.0.1 is a loopback address"],
  ["https://2130706433/", "127.0.0.1"],
  ["https://１２７.０.０.１/", "loopback"],
  ["https://10.0.0.1/", "private"],
  ["https://100.64.0.1/", "carrier-grade NAT"],
  ["https://169.254.169.254/latest/meta-data", "link-local"],
  ["https://[::ffff:127.0.0.1]/", "IPv4-mapped"],
  ["https://[::127.0.0.1]/", "IPv4-compatible"],
  ["https://[64:ff9b::a00:1]/", "NAT64"],
  ["https://[2002:7f00:1::]/", "6to4"],
  ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"],
  ["https://localhost/", "this machine"],
  ["https://printer.local/", ".local hosts are not public"],
  ["https://metadata.google.internal/", ".internal"],
  ["https://intranet/", "single-label"],
  ["http://example.com/", "must use https"],
  ["https://example.com:22/", "port 22 is not allowed"],
  ["https://example.com:0/", "port 0 is not allowed"],
  ["https://user:pass@example.com/", "username or password"],
  ["https://@example.com/", "username or password"],
  ["https://example.com /", "spaces or control characters"],
  ["https://", "not a valid"],
  [`https://example.com/${"a".repeat(2048)}`, "2048"],
];

describe("checkDestinationUrl", () => {
  it.each(REJECTED)("rejects %j", (input) => {
    const verdict = checkDestinationUrl(input, PUBLIC);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.reason.length).toBeGreaterThan(0);
      expect(verdict.reason.length).toBeLessThan(120);
    }
  });

  it.each(ACCEPTED)("accepts %j", (input) => {
    const verdict = checkDestinationUrl(input, PUBLIC);
    expect(verdict).toMatchObject({ ok: true });
  });

  it.each(REASONS)("explains why %j is rejected", (input, mention) => {
    const verdict = checkDestinationUrl(input, PUBLIC);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(mention);
  });

  it("returns the parsed, normalized URL", () => {
    const verdict = checkDestinationUrl("https://bücher.de:443/a?b=1", PUBLIC);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.url).toBeInstanceOf(URL);
      expect(verdict.url.href).toBe("https://xn--bcher-kva.de/a?b=1");
    }
  });

  describe("with allowPrivate (local development)", () => {
    it.each(ACCEPTED_LOCAL_DEV)("accepts %j", (input) => {
      expect(checkDestinationUrl(input, LOCAL_DEV)).toMatchObject({ ok: true });
    });

    it.each(REJECTED_LOCAL_DEV)("still rejects %j", (input) => {
      expect(checkDestinationUrl(input, LOCAL_DEV).ok).toBe(false);
    });

    it("still names the port", () => {
      expect(checkDestinationUrl("http://127.0.0.1:22/", LOCAL_DEV)).toEqual({
        ok: false,
        reason: "port 22 is not allowed",
      });
    });
  });
});

// Delivery time judges the parsed rendered URL through a verdict kept per authority: it must give the
// answer checkDestinationUrl gives the same URL, for every URL above that the parser accepts, twice
// over (the second answer comes from the kept verdict), and whatever path or query follows.
describe("checkRenderedUrl", () => {
  const parsed = (input: string) => {
    try {
      return new URL(input);
    } catch {
      return null;
    }
  };
  const all = [...REJECTED, ...ACCEPTED, ...ACCEPTED_LOCAL_DEV, ...REJECTED_LOCAL_DEV];
  for (const options of [PUBLIC, LOCAL_DEV]) {
    it.each(all)(`agrees with checkDestinationUrl on %j (allowPrivate: ${options.allowPrivate})`, (input) => {
      const url = parsed(input);
      if (url === null) return; // never a rendered URL: the renderer fails first
      const expected = checkDestinationUrl(url.href, options);
      const reason = expected.ok ? null : expected.reason;
      expect(checkRenderedUrl(url, options)).toBe(reason);
      expect(checkRenderedUrl(url, options)).toBe(reason);
      const elsewhere = new URL(url.href);
      elsewhere.pathname = "/another/path";
      elsewhere.search = "?q=1";
      const other = checkDestinationUrl(elsewhere.href, options);
      expect(checkRenderedUrl(elsewhere, options)).toBe(other.ok ? null : other.reason);
    });
  }
});
