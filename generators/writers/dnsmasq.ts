// The one dnsmasq writer: the netboot server's and the DNS filter's settings are sections
// of options (a reason and its lines), rendered as a dnsmasq configuration file. Pi-hole's
// engine is a dnsmasq fork, so the DNS filter's file serves both renderings.

export interface DnsmasqSection {
  readonly why: string;
  /** [option] for a flag, [option, value] for a setting. */
  readonly options: readonly (readonly [string] | readonly [string, string])[];
}

export function renderDnsmasq(header: string, sections: readonly DnsmasqSection[]): string {
  const lines = header.split("\n").map((l) => `# ${l}`.trimEnd());
  for (const s of sections) {
    if (s.options.length === 0) continue;
    lines.push("", ...s.why.split("\n").map((l) => `# ${l}`.trimEnd()));
    for (const o of s.options) {
      const [key, value] = o;
      if (/[\s=]/.test(key) || (value !== undefined && /\n/.test(value)))
        throw new Error(`dnsmasq option ${JSON.stringify(o)} cannot be written on one line`);
      lines.push(value === undefined ? key : `${key}=${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
