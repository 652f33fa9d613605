// Decides whether a URL may be a webhook destination (docs/url-policy.md).
// Pure and Web-API only: used at save time on the URL template (checkUrlTemplate) and at delivery
// time on every rendered URL (checkDestinationUrl).
import ipaddr from "ipaddr.js";
import { firstTagPosition } from "./templates";

export type UrlPolicyOptions = { allowPrivate: boolean };
export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

// Same bound as the `url_template` field.
const MAX_URL_LENGTH = 2048;

const PUBLIC_HINT = "use a public HTTPS endpoint";

// Fetch Standard "bad ports" (https://fetch.spec.whatwg.org/#bad-port), plus port 0.
const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

// Special-use (RFC 6761 and friends) and commonly used undelegated suffixes: never public DNS.
const LOCAL_SUFFIXES = [
  "localhost",
  "local",
  "internal",
  "home.arpa",
  "arpa",
  "test",
  "invalid",
  "example",
  "onion",
  "alt",
  "lan",
  "corp",
  "home",
  "localdomain",
  "intranet",
  "private",
];

// Human wording for the ipaddr.js range names that are not global unicast.
const RANGE_WORDS: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  loopback: "a loopback address",
  linkLocal: "a link-local address",
  private: "a private address",
  uniqueLocal: "a private (unique local) address",
  carrierGradeNat: "a carrier-grade NAT address",
  reserved: "a reserved or documentation address",
  benchmarking: "a benchmarking address",
  deprecatedSiteLocal: "a site-local address",
  discard: "a discard-only address",
  ipv4Mapped: "an IPv4-mapped IPv6 address",
  rfc6145: "an IPv4-translated IPv6 address",
  rfc6052: "a NAT64 address that embeds IPv4",
  "6to4": "a 6to4 address that embeds IPv4",
  teredo: "a Teredo address that embeds IPv4",
};

// ipaddr.js calls IPv4-compatible addresses (::a.b.c.d) "unicast"; they embed IPv4, so block them.
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96");
// IANA's global unicast space; ipaddr.js calls unassigned space (e.g. 4000::1, 1::1) "unicast".
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

// Ranges no HTTP server can listen on, refused even when private destinations are allowed.
const NEVER_REACHABLE = new Set(["multicast", "broadcast"]);

const reject = (reason: string): UrlVerdict => ({ ok: false, reason });

export function checkDestinationUrl(input: string, options: UrlPolicyOptions): UrlVerdict {
  // Bounded like the stored template, so a rendered URL cannot grow without limit.
  if (input.length > MAX_URL_LENGTH) return reject(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  // The parser silently strips or drops these, so the raw string would not be what gets judged.
  if (hasWhitespaceOrControl(input)) return reject("the URL must not contain spaces or control characters");

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return reject("the URL is not a valid absolute URL");
  }

  // https only; plain http only for explicit local development.
  const schemes = options.allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) {
    return reject(options.allowPrivate ? "the URL must use http or https" : "the URL must use https");
  }

  // Credentials in URLs leak into logs; `https://@host` parses to an empty username, so look at the raw authority too.
  if (url.username !== "" || url.password !== "" || rawAuthority(input).includes("@")) {
    return reject("URLs with a username or password are not allowed");
  }

  // Port 0 and the Fetch "bad ports" are refused whatever the host (`url.port` is "" for the default port).
  if (url.port !== "" && BAD_PORTS.has(Number(url.port))) return reject(`port ${url.port} is not allowed`);

  const reason = url.hostname.startsWith("[")
    ? checkIPv6(url.hostname, options)
    : ipaddr.IPv4.isValidFourPartDecimal(url.hostname)
      ? checkIPv4(url.hostname, options)
      : checkName(url.hostname, options);
  return reason === null ? { ok: true, url } : reject(reason);
}

// Any C0 control, space, DEL, C1 control or Unicode whitespace (NBSP, U+3000, BOM, ...).
function hasWhitespaceOrControl(input: string): boolean {
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return /\s/u.test(input);
}

// The raw text between the scheme and the path; the WHATWG parser skips any run of `/` or `\` after
// a special scheme and ends the authority at `/`, `\`, `?` or `#`.
function rawAuthority(input: string): string {
  const afterScheme = input.replace(/^[a-z][a-z0-9+.-]*:[/\\]*/i, "");
  return afterScheme.split(/[/\\?#]/, 1)[0] ?? "";
}

// The URL parser already canonicalised decimal/octal/hex/short/fullwidth/percent-encoded IPv4 forms.
function checkIPv4(hostname: string, options: UrlPolicyOptions): string | null {
  const range = ipaddr.IPv4.parse(hostname).range();
  // Only global unicast; ipaddr.js covers 0/8, RFC 1918, CGNAT, link-local, loopback, documentation,
  // 192.0.0/24, benchmarking, 240/4, broadcast, multicast, and calls AS112/AMT out too.
  if (range === "unicast") return null;
  if (options.allowPrivate && !NEVER_REACHABLE.has(range)) return null;
  return `host ${hostname} is ${RANGE_WORDS[range] ?? "a special-purpose address"}; ${PUBLIC_HINT}`;
}

// `url.hostname` keeps the brackets and is canonical RFC 5952 text (no zone id, no dotted tail).
function checkIPv6(hostname: string, options: UrlPolicyOptions): string | null {
  const address = ipaddr.IPv6.parse(hostname.slice(1, -1));
  const range = address.range();
  if (options.allowPrivate) {
    return NEVER_REACHABLE.has(range) ? `host ${hostname} is ${RANGE_WORDS[range]}; ${PUBLIC_HINT}` : null;
  }
  // Mapped, NAT64, 6to4, Teredo, ULA, link-local, site-local, documentation, ORCHID, discard, ...
  if (range !== "unicast") {
    return `host ${hostname} is ${RANGE_WORDS[range] ?? "a special-purpose address"}; ${PUBLIC_HINT}`;
  }
  // IPv4-compatible (::a.b.c.d) embeds IPv4 but is "unicast" to ipaddr.js.
  if (address.match(IPV4_COMPATIBLE)) {
    return `host ${hostname} is an IPv4-compatible IPv6 address that embeds IPv4; ${PUBLIC_HINT}`;
  }
  // Only 2000::/3 is allocated for global unicast today.
  if (!address.match(GLOBAL_UNICAST_V6)) {
    return `host ${hostname} is outside the global unicast range 2000::/3; ${PUBLIC_HINT}`;
  }
  return null;
}

// Host names arrive lower-cased and IDNA-encoded (punycode) from the URL parser.
function checkName(hostname: string, options: UrlPolicyOptions): string | null {
  // One trailing dot is the DNS root: `localhost.` is `localhost`.
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  // `a..b`, `.` and `..` are not resolvable names.
  if (name === "" || name.split(".").includes("")) return `host ${hostname} has an empty label`;
  // Local development may target `localhost`, `receiver` and the like.
  if (options.allowPrivate) return null;
  // `localhost` and `localhost.localdomain` always mean this machine.
  if (name === "localhost" || name === "localhost.localdomain") {
    return `host ${hostname} is this machine; ${PUBLIC_HINT}`;
  }
  // A single-label name only resolves through a local search domain.
  if (!name.includes(".")) {
    return `single-label host ${hostname} is not public; use a fully qualified domain name`;
  }
  // Suffix match is per label: `localhost-api.example.com` and `my.localhost.example.com` stay public.
  const suffix = LOCAL_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`));
  if (suffix !== undefined) return `.${suffix} hosts are not public; ${PUBLIC_HINT}`;
  return null;
}

/**
 * Scheme, host and port must be literal so the destination's host is known at save time:
 * every tag has to start after the authority has ended with `/`, `?` or `#`.
 */
export function templatedAuthorityError(template: string): string | null {
  const position = firstTagPosition(template);
  if (position === null) return null;
  const prefix = template.slice(0, position);
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\{}]+[/?#]/.test(prefix)
    ? null
    : "template tags are only allowed after the host, in the path or query; the scheme, host and port must be literal";
}

/** The URL template with every tag replaced by a plain value, so the address policy can judge it. */
export const sampleUrl = (template: string) => template.replace(/\{\{\{?[\s\S]*?\}?\}\}/g, "x");

/** Save time: why a URL template (whose syntax is valid) cannot be a destination, or null when it can. */
export function checkUrlTemplate(template: string, options: UrlPolicyOptions): string | null {
  const authority = templatedAuthorityError(template);
  if (authority) return authority;
  const verdict = checkDestinationUrl(sampleUrl(template), options);
  return verdict.ok ? null : verdict.reason;
}

// Verdicts on rendered URLs by their authority, most recent last; bounded.
const renderedVerdicts = new Map<string, string | null>();
const RENDERED_VERDICTS = 1000;

/**
 * Delivery time: the verdict on a rendered URL, given as the parser produced it. Only the scheme,
 * userinfo, host and port decide a verdict once the parser has serialized a URL (its href has no raw
 * whitespace or control characters, and the renderer bounds its length), so verdicts are kept by those:
 * every delivery is still judged, the ipaddr.js work is done once per destination host. Tests hold this
 * to the same answers as checkDestinationUrl.
 */
export function checkRenderedUrl(url: URL, options: UrlPolicyOptions): string | null {
  if (url.href.length > MAX_URL_LENGTH) return `the URL is longer than ${MAX_URL_LENGTH} characters`;
  const key = `${options.allowPrivate ? 1 : 0}${url.protocol}//${url.username}:${url.password}@${url.host}`;
  let reason = renderedVerdicts.get(key);
  if (reason === undefined) {
    const verdict = checkDestinationUrl(url.href, options);
    reason = verdict.ok ? null : verdict.reason;
    if (renderedVerdicts.size >= RENDERED_VERDICTS)
      renderedVerdicts.delete(renderedVerdicts.keys().next().value as string);
    renderedVerdicts.set(key, reason);
  }
  return reason;
}
