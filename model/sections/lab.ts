// The lab section: the local twin's emulator, namespaces, lab internet and home.
import { cidrHost, cidrSize, cidrsOverlap, parseIpv4Cidr, parseIpv6, parseIpv6Cidr } from "../net.ts";
import { type Places, type Rules } from "../rules.ts";
import type { Model } from "../types.ts";

export interface LabModel {
  /** The AWS emulator listens here, on loopback only. */
  readonly emulator: { readonly host: string; readonly port: number };
  /** Every lab namespace name starts with this, so teardown can find them all. */
  readonly namespacePrefix: string;
  /** The budget alert's address in the lab (a reserved .invalid name: the emulator mails nothing). */
  readonly budgetAlertEmail: string;
  /** Where the lab keeps its runtime state (tofu state, pids, logs); removed by `lab down`. */
  readonly stateDir: string;
  /** Addresses of the lab's stand-in internet (documentation ranges, RFC 5737). */
  readonly internet: {
    /** Hosts "on the internet" (the web server probes reach). */
    readonly hostsCidr: string;
    /** Link between the internet and the VPC's internet gateway; public addresses come from here. */
    readonly publicCidr: string;
    /** A web server on the lab internet that answers with the address it saw. */
    readonly webPort: number;
    /** IPv6 link between the lab internet and the internet gateway (documentation range, RFC 3849). */
    readonly ipv6LinkCidr: string;
    /** An address on the lab internet that is not the operator's home: SSH from it must fail. */
    readonly strangerIpv6: string;
    /** Host number (in hostsCidr) of the lab's stand-in for the regional AWS API endpoint. */
    readonly awsEndpointIndex: number;
  };
  /** The operator's home network: the lab's stand-in for the address bastion SSH is allowed from. */
  readonly home: {
    readonly ipv6Cidr: string;
    /** Host number of the operator's machine inside ipv6Cidr. */
    readonly hostIndex: number;
  };
  /** The lab internet's upstreams for the netboot layer: registries under the five names, and DNS. */
  readonly upstreams: {
    /** Host number (in internet.hostsCidr) of the upstream DNS that answers for the lab's names. */
    readonly dnsIndex: number;
    /** Host number of the first upstream registry; the others follow, one per cache. */
    readonly firstRegistryIndex: number;
    /** The test image every upstream serves (multi-arch, built by the lab itself). */
    readonly testImage: { readonly repository: string; readonly tag: string; readonly layerBytes: number };
    /** The shaped link to the lab internet, so a cache's benefit is measurable. */
    readonly link: {
      /** Bandwidth each way in Mbit/s (tc tbf on both ends of the link). */
      readonly rateMbit: number;
      /** Added to every upstream registry response, as a far registry's round trip would. */
      readonly latencyMs: number;
    };
  };
  /** Host number (inside the private subnet) of the lab's private test host. */
  readonly privateHostIndex: number;
  /** TCP port the private test host listens on for the exposure probes. */
  readonly probePort: number;
  /**
   * The lab's QEMU nodes (software emulation): memory for the stand-in payload and for real
   * Talos (which needs 2 GiB at least), and vCPUs.
   */
  readonly nodes: {
    readonly memoryMib: { readonly standIn: number; readonly talos: number };
    readonly cpus: number;
    /** The sparse install disk a real-Talos node gets (the stand-in runs from memory). */
    readonly diskGib: number;
  };
}

export const LAB_DEFAULTS: LabModel = {
  emulator: { host: "127.0.0.1", port: 4566 },
  namespacePrefix: "mab-",
  budgetAlertEmail: "operator@moon-and-back.invalid",
  stateDir: "/run/moon-and-back/lab",
  internet: {
    hostsCidr: "203.0.113.0/24",
    publicCidr: "198.51.100.0/24",
    webPort: 80,
    ipv6LinkCidr: "2001:db8:ffff::/64",
    strangerIpv6: "2001:db8:bad::66",
    awsEndpointIndex: 20,
  },
  home: { ipv6Cidr: "2001:db8:ab::/64", hostIndex: 16 },
  upstreams: {
    dnsIndex: 53,
    firstRegistryIndex: 60,
    testImage: { repository: "moon-and-back/hello", tag: "1.0", layerBytes: 4 * 1024 * 1024 },
    link: { rateMbit: 50, latencyMs: 40 },
  },
  // High in the subnet, away from the addresses the emulator hands out from the bottom.
  privateHostIndex: 250,
  probePort: 7000,
  nodes: { memoryMib: { standIn: 512, talos: 4096 }, cpus: 1, diskGib: 12 },
};

/** The lab: loopback emulator, namespace prefix, lab internet ranges and hosts, home. */
export function labRules(model: Model, r: Rules, at: Places): void {
  const { add, cidr, port } = r;
  const { vpc, priv } = at;
  const net = model.network;
  const b = model.bastion;
  const lab = model.lab;
  if (!/^127\.\d+\.\d+\.\d+$/.test(lab.emulator.host))
    add(
      "lab.emulator.host",
      lab.emulator.host,
      "is not a loopback address",
      "the emulator listens on loopback only, e.g. 127.0.0.1",
    );
  port("lab.emulator.port", lab.emulator.port);
  if (!/^[a-z]{1,4}-$/.test(lab.namespacePrefix))
    add(
      "lab.namespacePrefix",
      lab.namespacePrefix,
      "is not a short prefix",
      'use 1-4 lowercase letters and "-", e.g. "mab-"',
    );
  if (!lab.stateDir.startsWith("/"))
    add(
      "lab.stateDir",
      lab.stateDir,
      "is not an absolute path",
      "use an absolute path such as /run/moon-and-back/lab",
    );
  for (const key of ["hostsCidr", "publicCidr"] as const) {
    const c = cidr(`lab.internet.${key}`, lab.internet[key]);
    if (c && vpc && cidrsOverlap(c, vpc))
      add(
        `lab.internet.${key}`,
        lab.internet[key],
        `overlaps the VPC ${net.vpcCidr}`,
        "use a documentation range such as 203.0.113.0/24",
      );
  }
  port("lab.internet.webPort", lab.internet.webPort);
  const link6 = parseIpv6Cidr(lab.internet.ipv6LinkCidr);
  if (!link6 || link6.prefix !== 64)
    add(
      "lab.internet.ipv6LinkCidr",
      lab.internet.ipv6LinkCidr,
      "is not an IPv6 /64",
      'use e.g. "2001:db8:ffff::/64"',
    );
  const home6 = parseIpv6Cidr(lab.home.ipv6Cidr);
  if (!home6 || home6.prefix !== 64)
    add("lab.home.ipv6Cidr", lab.home.ipv6Cidr, "is not an IPv6 /64", 'use e.g. "2001:db8:ab::/64"');
  if (!Number.isInteger(lab.home.hostIndex) || lab.home.hostIndex < 2 || lab.home.hostIndex > 0xffff)
    add(
      "lab.home.hostIndex",
      lab.home.hostIndex,
      "is not a free host number of the home /64",
      "use 2-65535, e.g. 16",
    );
  if (parseIpv6(lab.internet.strangerIpv6) === undefined)
    add(
      "lab.internet.strangerIpv6",
      lab.internet.strangerIpv6,
      "is not an IPv6 address",
      'use e.g. "2001:db8:bad::66"',
    );
  if (
    !Number.isInteger(lab.internet.awsEndpointIndex) ||
    lab.internet.awsEndpointIndex < 2 ||
    lab.internet.awsEndpointIndex > 254 ||
    lab.internet.awsEndpointIndex === 10
  )
    add(
      "lab.internet.awsEndpointIndex",
      lab.internet.awsEndpointIndex,
      "is not a free host number of the lab internet",
      "use 2-254 except 1 and 10, e.g. 20",
    );
  if (
    priv &&
    (lab.privateHostIndex < 4 ||
      lab.privateHostIndex >= cidrSize(priv) - 1 ||
      cidrHost(priv, lab.privateHostIndex) === b.privateIp)
  )
    add(
      "lab.privateHostIndex",
      lab.privateHostIndex,
      "is a reserved or taken address of the private subnet",
      "use a free host number such as 10",
    );
  port("lab.probePort", lab.probePort);
  const hosts = parseIpv4Cidr(lab.internet.hostsCidr);
  const up = lab.upstreams;
  // Host numbers of the lab internet already taken: its router, its web host, the AWS endpoint.
  const taken = new Map<number, string>([
    [1, "the lab internet's router"],
    [10, "the lab internet's web host"],
    [lab.internet.awsEndpointIndex, "lab.internet.awsEndpointIndex"],
  ]);
  const hostIndex = (path: string, n: number): void => {
    const max = hosts ? cidrSize(hosts) - 2 : 254;
    if (!Number.isInteger(n) || n < 2 || n > max)
      add(path, n, "is not a host number of the lab internet", `use 2-${max}`);
    else if (taken.has(n)) add(path, n, `is taken by ${taken.get(n) ?? ""}`, "pick a free host number");
    else taken.set(n, path);
  };
  hostIndex("lab.upstreams.dnsIndex", up.dnsIndex);
  model.services.caches.forEach((c, i) => {
    hostIndex(
      `lab.upstreams.firstRegistryIndex (+${i}, the ${c.upstream} upstream)`,
      up.firstRegistryIndex + i,
    );
  });
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/.test(up.testImage.repository))
    add(
      "lab.upstreams.testImage.repository",
      up.testImage.repository,
      "is not a registry repository name",
      'use lowercase path components, e.g. "moon-and-back/hello"',
    );
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(up.testImage.tag))
    add("lab.upstreams.testImage.tag", up.testImage.tag, "is not an image tag", 'use e.g. "1.0"');
  if (
    !Number.isInteger(up.testImage.layerBytes) ||
    up.testImage.layerBytes < 1024 ||
    up.testImage.layerBytes > 64 * 1024 * 1024
  )
    add(
      "lab.upstreams.testImage.layerBytes",
      up.testImage.layerBytes,
      "is not a layer size the lab can serve",
      "use 1 KiB to 64 MiB, e.g. 4194304",
    );
  if (!(up.link.rateMbit >= 1 && up.link.rateMbit <= 10_000))
    add("lab.upstreams.link.rateMbit", up.link.rateMbit, "is not a link rate", "use 1-10000 Mbit/s, e.g. 50");
  if (!(Number.isInteger(up.link.latencyMs) && up.link.latencyMs >= 0 && up.link.latencyMs <= 2000))
    add("lab.upstreams.link.latencyMs", up.link.latencyMs, "is not a latency", "use 0-2000 ms, e.g. 40");
}
