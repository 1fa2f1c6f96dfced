// IPv4 and IPv6 address arithmetic for validating the model. Kept dependency-free so
// the model can be loaded (and refuse bad input) before anything else is installed.

export interface Ipv4Cidr {
  readonly text: string;
  readonly base: number;
  readonly prefix: number;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): number | undefined {
  const m = IPV4_RE.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (const part of m.slice(1)) {
    const octet = Number(part);
    if (octet > 255 || (part.length > 1 && part.startsWith("0"))) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Parses "a.b.c.d/n"; undefined when malformed or when host bits are set. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const [addr, len, ...rest] = text.split("/");
  if (addr === undefined || len === undefined || rest.length > 0 || !/^\d{1,2}$/.test(len)) return undefined;
  const base = parseIpv4(addr);
  const prefix = Number(len);
  if (base === undefined || prefix > 32) return undefined;
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { text, base, prefix };
}

/** The dotted netmask of a CIDR: /24 → 255.255.255.0. */
export function cidrNetmask(c: Ipv4Cidr): string {
  return formatIpv4(2 ** 32 - cidrSize(c));
}

export function cidrSize(c: Ipv4Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContainsIp(c: Ipv4Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + cidrSize(c);
}

export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContainsIp(outer, inner.base);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContainsIp(a, b.base) || cidrContainsIp(b, a.base);
}

/** The n-th address of a CIDR (n may be negative to count from the end). */
export function cidrHost(c: Ipv4Cidr, n: number): string {
  const offset = n >= 0 ? n : cidrSize(c) + n;
  return formatIpv4(c.base + offset);
}

/** True for a syntactically valid IPv6 address (RFC 4291 text forms, no zone). */
export function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.includes(":::")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (groups.some((g) => g.length === 0 || g.length > 4)) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

/** Parses an IPv6 CIDR such as 2001:db8::10/128. */
export function parseIpv6Cidr(text: string): { address: string; prefix: number } | undefined {
  const [addr, len, ...rest] = text.split("/");
  if (addr === undefined || len === undefined || rest.length > 0 || !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = Number(len);
  if (!isIpv6(addr) || prefix > 128) return undefined;
  return { address: addr, prefix };
}

/** An IPv6 address as a 128-bit integer; undefined when malformed. */
export function parseIpv6(text: string): bigint | undefined {
  if (!isIpv6(text)) return undefined;
  const [head = "", tail] = text.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The shortest text form of an IPv6 address (RFC 5952). */
export function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

/** The n-th address of an IPv6 CIDR, as `cidrhost()` in OpenTofu gives it. */
export function ipv6CidrHost(cidr: string, n: number): string {
  const c = parseIpv6Cidr(cidr);
  const base = c && parseIpv6(c.address);
  if (base === undefined) throw new Error(`not an IPv6 CIDR: ${cidr}`);
  return formatIpv6(base + BigInt(n));
}

/** Whether an IPv6 CIDR contains an address. */
export function ipv6CidrContains(cidr: string, address: string): boolean {
  const c = parseIpv6Cidr(cidr);
  const base = c && parseIpv6(c.address);
  const ip = parseIpv6(address);
  if (!c || base === undefined || ip === undefined) return false;
  const shift = BigInt(128 - c.prefix);
  return base >> shift === ip >> shift;
}
