// The services section: the bastion's netboot services (DHCP/TFTP, DNS filter, matchbox, the caches).
import { cidrSize, parseIpv4, parseIpv6, type Ipv4Cidr } from "../net.ts";
import { HOSTNAME_RE, urlProblem, type AddProblem, type Places, type Rules } from "../rules.ts";
import type { Model, TargetName } from "../types.ts";

export interface RegistryCacheModel {
  /** The registry's name as image references spell it, e.g. "docker.io". */
  readonly upstream: string;
  readonly port: number;
  /** The registry API endpoint the cache pulls from, e.g. "https://registry-1.docker.io". */
  readonly remoteUrl: string;
}

export interface DhcpModel {
  /**
   * First and last host number (inside the private subnet) dnsmasq leases: 160 and 199 in
   * 10.20.13.0/24 are 10.20.13.160-199, and they follow the subnet if it moves.
   */
  readonly firstHost: number;
  readonly lastHost: number;
  /** dnsmasq lease time, e.g. "12h". */
  readonly leaseTime: string;
}

export interface DnsFilterModel {
  /** Resolvers the filter forwards to, per target; the lab's is its own upstream DNS (lab.upstreams.dnsIndex). */
  readonly upstreams: Readonly<Record<Exclude<TargetName, "lab">, readonly string[]>>;
  /** The private zone the bastion answers for, e.g. "moon.internal". */
  readonly localDomain: string;
  /** Names in localDomain that resolve to the bastion, e.g. "matchbox" → matchbox.moon.internal. */
  readonly bastionNames: readonly string[];
  /** Domains the filter blocks (it answers 0.0.0.0 and ::, as Pi-hole's default blocking mode does). */
  readonly blocklist: readonly string[];
}

export interface ServicesModel {
  readonly matchboxPort: number;
  /** DNS (the DNS filter) and TFTP (netboot) on the bastion, reachable from inside the VPC. */
  readonly dnsPort: number;
  readonly tftpPort: number;
  readonly caches: readonly RegistryCacheModel[];
  /**
   * SSM path of the caches' upstream credentials (SecureString `<path>/<upstream>/username`
   * and `/password`, put there by the operator): the bastion's role may read this subtree.
   */
  readonly registryCredentialsPath: string;
  /** DHCP for the home lab and the local lab (on AWS, the VPC's DHCP is AWS's; dnsmasq serves TFTP only). */
  readonly dhcp: DhcpModel;
  readonly dnsFilter: DnsFilterModel;
  /** Where the services keep their data on the bastion (the caches' storage, matchbox's assets). */
  readonly dataDir: string;
  /** How many seconds a supervisor waits before restarting a service that stopped. */
  readonly restartDelaySeconds: number;
}

export const SERVICES_DEFAULTS: ServicesModel = {
  matchboxPort: 8080,
  dnsPort: 53,
  tftpPort: 69,
  caches: [
    // Docker Hub's registry API lives on its own host; the others answer on their names.
    { upstream: "docker.io", port: 5050, remoteUrl: "https://registry-1.docker.io" },
    { upstream: "gcr.io", port: 5051, remoteUrl: "https://gcr.io" },
    { upstream: "ghcr.io", port: 5052, remoteUrl: "https://ghcr.io" },
    { upstream: "quay.io", port: 5053, remoteUrl: "https://quay.io" },
    { upstream: "registry.k8s.io", port: 5054, remoteUrl: "https://registry.k8s.io" },
  ],
  registryCredentialsPath: "/moon-and-back/registry",
  // Above the addresses the emulator hands out from the bottom, below the lab's test host.
  dhcp: { firstHost: 160, lastHost: 199, leaseTime: "12h" },
  dnsFilter: {
    upstreams: {
      // The VPC's own resolver (the Amazon-provided DNS at the link-local address).
      aws: ["169.254.169.253"],
      home: ["9.9.9.9", "149.112.112.112"],
    },
    localDomain: "moon.internal",
    bastionNames: ["bastion", "matchbox", "registry"],
    blocklist: ["ads.example.com", "tracker.example.net"],
  },
  dataDir: "/var/lib/moon-and-back",
  restartDelaySeconds: 1,
};

/** The netboot services: ports that must not clash on the bastion, the caches, and the rest. */
export function servicesRules(model: Model, r: Rules, at: Places): void {
  const { add, port, bastionPorts } = r;
  const { priv } = at;
  // Ports of services sharing one host (the bastion) must not clash; lab ports live on other hosts.
  port("services.matchboxPort", model.services.matchboxPort, bastionPorts);
  port("services.dnsPort", model.services.dnsPort, bastionPorts);
  port("services.tftpPort", model.services.tftpPort, bastionPorts);
  const upstreams = new Set<string>();
  if (model.services.caches.length === 0)
    add(
      "services.caches",
      [],
      "is empty: the nodes pull every image through the bastion's caches, and have no other way out",
      "list at least the registries the nodes pull from, as the defaults do",
    );
  model.services.caches.forEach((c, i) => {
    port(`services.caches[${i}].port`, c.port, bastionPorts);
    if (!HOSTNAME_RE.test(c.upstream))
      add(
        `services.caches[${i}].upstream`,
        c.upstream,
        "is not a registry host name",
        'use a bare host name such as "quay.io"',
      );
    if (upstreams.has(c.upstream))
      add(`services.caches[${i}].upstream`, c.upstream, "has a cache already", "list each upstream once");
    upstreams.add(c.upstream);
    const url = urlProblem(c.remoteUrl);
    if (url)
      add(
        `services.caches[${i}].remoteUrl`,
        c.remoteUrl,
        url,
        'use the registry\'s API URL, e.g. "https://quay.io"',
      );
  });
  validateServices(model, priv, add);
}

/** The netboot layer's settings: DHCP range, DNS filter, data directory, images. */
function validateServices(model: Model, priv: Ipv4Cidr | undefined, add: AddProblem): void {
  const s = model.services;
  const dhcp = s.dhcp;
  const subnet = model.network.private.cidr;
  // AWS keeps the first four addresses of a subnet and its last one.
  const last = priv ? cidrSize(priv) - 2 : 254;
  for (const key of ["firstHost", "lastHost"] as const) {
    const n = dhcp[key];
    if (!Number.isInteger(n) || n < 4 || n > last)
      add(
        `services.dhcp.${key}`,
        n,
        `is outside the usable addresses of the private subnet ${subnet}`,
        `use a host number from 4 to ${last}`,
      );
  }
  if (dhcp.firstHost > dhcp.lastHost)
    add("services.dhcp.lastHost", dhcp.lastHost, `comes before firstHost ${dhcp.firstHost}`, "swap them");
  const bastion = parseIpv4(model.bastion.privateIp);
  const bastionHost = priv && bastion !== undefined ? bastion - priv.base : -1;
  if (bastionHost >= dhcp.firstHost && bastionHost <= dhcp.lastHost)
    add(
      "services.dhcp",
      `${dhcp.firstHost}-${dhcp.lastHost}`,
      `contains the bastion's fixed address ${model.bastion.privateIp} (host ${bastionHost})`,
      "move the range off the bastion's address",
    );
  if (!/^(\d+[smhdw]?|infinite)$/.test(dhcp.leaseTime))
    add(
      "services.dhcp.leaseTime",
      dhcp.leaseTime,
      "is not a dnsmasq lease time",
      'use e.g. "12h" or "infinite"',
    );

  const f = s.dnsFilter;
  for (const [target, list] of Object.entries(f.upstreams)) {
    if (list.length === 0)
      add(`services.dnsFilter.upstreams.${target}`, list, "is empty", "name at least one resolver");
    list.forEach((a, i) => {
      if (parseIpv4(a) === undefined && parseIpv6(a) === undefined)
        add(`services.dnsFilter.upstreams.${target}[${i}]`, a, "is not an IP address", 'use e.g. "9.9.9.9"');
    });
  }
  if (!HOSTNAME_RE.test(f.localDomain))
    add("services.dnsFilter.localDomain", f.localDomain, "is not a domain name", 'use e.g. "moon.internal"');
  f.bastionNames.forEach((n, i) => {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(n))
      add(`services.dnsFilter.bastionNames[${i}]`, n, "is not a host name label", 'use e.g. "matchbox"');
  });
  f.blocklist.forEach((d, i) => {
    if (!HOSTNAME_RE.test(d))
      add(`services.dnsFilter.blocklist[${i}]`, d, "is not a domain name", 'use e.g. "ads.example.com"');
    if (d === f.localDomain || d.endsWith(`.${f.localDomain}`))
      add(`services.dnsFilter.blocklist[${i}]`, d, "blocks the local zone", "remove it from the blocklist");
  });
  if (!/^\/[A-Za-z0-9._/-]+$/.test(s.dataDir) || s.dataDir.includes(".."))
    add("services.dataDir", s.dataDir, "is not an absolute path", 'use e.g. "/var/lib/moon-and-back"');
  // The bastion's role may read the credentials subtree: it must not hold the Talos secrets.
  const within = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  const talos = model.nodes.configParameterPath;
  if (within(s.registryCredentialsPath, talos) || within(talos, s.registryCredentialsPath))
    add(
      "services.registryCredentialsPath",
      s.registryCredentialsPath,
      `overlaps nodes.configParameterPath (${talos}): the bastion, which may read the credentials, could read the Talos secrets`,
      'use a path of its own, e.g. "/moon-and-back/registry"',
    );
  if (!(Number.isInteger(s.restartDelaySeconds) && s.restartDelaySeconds >= 0 && s.restartDelaySeconds <= 60))
    add("services.restartDelaySeconds", s.restartDelaySeconds, "is not a delay", "use 0-60 seconds, e.g. 1");
  const images = model.versions.images;
  for (const key of ["dnsmasq", "pihole"] as const)
    if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(images[key]))
      add(
        `versions.images.${key}`,
        images[key],
        "is not an image reference pinned by a tag",
        'write registry/repository:tag, e.g. "docker.io/pihole/pihole:2025.07.1"',
      );
  for (const key of ["matchboxRepository", "registryRepository"] as const)
    if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/.test(images[key]))
      add(
        `versions.images.${key}`,
        images[key],
        "is not an image repository (its tag comes from the version the lab builds)",
        'write registry/repository, e.g. "quay.io/poseidon/matchbox"',
      );
}
