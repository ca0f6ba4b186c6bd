/** IP helpers: prefix bucketing and CIDR matching for IPv4 and IPv6 text addresses. */

const v4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** Dotted quad without leading zeros, each octet 0–255. */
const v4Strict = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function v4ToNumber(ip: string): number | undefined {
  const m = v4Pattern.exec(ip);
  if (m === null) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

function v6ToGroups(ip: string): number[] | undefined {
  let text = ip;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(':')) return undefined;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
    const n = v4ToNumber(maybeV4);
    if (n === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1) return total === 8 ? head : undefined;
  if (total > 7) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest];
}

/** A parsed address: IPv4 as a 32-bit number, IPv6 as eight 16-bit groups (v4-mapped IPv6 becomes IPv4). */
export type ParsedIp = { version: 4; value: number } | { version: 6; groups: number[] };

/** Parses an IPv4 or IPv6 text address; undefined when it is not one. */
export function parseIp(ip: string): ParsedIp | undefined {
  const v4 = v4ToNumber(ip);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const groups = v6ToGroups(ip);
  if (groups === undefined) return undefined;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return { version: 4, value: (groups[6] ?? 0) * 65536 + (groups[7] ?? 0) };
  }
  return { version: 6, groups };
}

function v4Text(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

function maskV4(n: number, bits: number): number {
  if (bits <= 0) return 0;
  const block = 2 ** (32 - bits);
  return Math.floor(n / block) * block;
}

function maskV6(groups: readonly number[], bits: number): number[] {
  return groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : keep === 16 ? g : g & (0xffff << (16 - keep)) & 0xffff;
  });
}

function v6Text(groups: readonly number[]): string {
  // Compact form: trailing zero groups collapse to '::' (enough for prefixes).
  let last = groups.length;
  while (last > 0 && groups[last - 1] === 0) last--;
  const head = groups.slice(0, last).map((g) => g.toString(16));
  return last === groups.length ? head.join(':') : `${head.join(':')}::`;
}

/**
 * The network prefix of `ip` as CIDR text: /`v4Bits` for IPv4 (default 24), /`v6Bits` for IPv6
 * (default 64). Undefined when `ip` is not an address. Pure and allocation-light for IPv4.
 */
export function prefixOf(ip: string, v4Bits = 24, v6Bits = 64): string | undefined {
  if (v4Bits === 24 && v4Strict.test(ip)) {
    // Fast path for the common case: cut the last octet, no parsing or allocation beyond the result.
    return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  }
  const parsed = parseIp(ip);
  if (parsed === undefined) return undefined;
  if (parsed.version === 4) return `${v4Text(maskV4(parsed.value, v4Bits))}/${v4Bits}`;
  return `${v6Text(maskV6(parsed.groups, v6Bits))}/${v6Bits}`;
}

/** A parsed CIDR block. */
export type Cidr = { text: string; version: 4 | 6; bits: number; network: ParsedIp };

/** Parses CIDR text (`a.b.c.d/n`, `x::/n`, or a bare address as a host route); undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  const bitsText = slash >= 0 ? text.slice(slash + 1) : String(max);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > max) return undefined;
  const network: ParsedIp = ip.version === 4 ? { version: 4, value: maskV4(ip.value, bits) } : { version: 6, groups: maskV6(ip.groups, bits) };
  return { text, version: ip.version, bits, network };
}

/** True when `ip` (text) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const parsed = parseIp(ip);
  if (parsed === undefined || parsed.version !== cidr.version) return false;
  if (parsed.version === 4 && cidr.network.version === 4) return maskV4(parsed.value, cidr.bits) === cidr.network.value;
  if (parsed.version === 6 && cidr.network.version === 6) {
    const masked = maskV6(parsed.groups, cidr.bits);
    const net = cidr.network.groups;
    return masked.every((g, i) => g === net[i]);
  }
  return false;
}

/** True for private, loopback, link-local and documentation-free internal ranges (RFC 1918, RFC 4193, …). */
export function isPrivateIp(ip: ParsedIp): boolean {
  if (ip.version === 4) {
    const a = Math.floor(ip.value / 16777216);
    const b = Math.floor(ip.value / 65536) % 256;
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const g0 = ip.groups[0] ?? 0;
  return (g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfe80 || ip.groups.every((g, i) => (i < 7 ? g === 0 : g === 1));
}
