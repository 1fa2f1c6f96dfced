// Generator 03: the bastion's netboot services — dnsmasq (DHCP and TFTP), matchbox, five
// registry pull-through caches and the DNS filter — as one typed definition rendered to
// every target: a compose file for aws and home, supervised native processes for the lab.
// Each target's bundle (infra/<target>/netboot/) travels in the bastion's user data and is
// started by its `start` script in a fixed order: DNS first, then the caches, then matchbox,
// then the DHCP/TFTP server that sends nodes to it.
import { derived, NODE_ROLES, type Model, type TargetName } from "../model/index.ts";
import { cidrNetmask, parseIpv4Cidr } from "../model/net.ts";
import { markdownTable } from "./writers/markdown.ts";
import { shellAssignments } from "./writers/shell.ts";
import { DNSMASQ_VALUE, Rendered, renderSource, sourceFile, type SourceFile } from "./writers/source.ts";
import { renderJson, renderYaml } from "./writers/yaml.ts";
import { generatedHeader, type GeneratedFile, type Generator } from "./types.ts";

const TEST = 3;
export const NETBOOT_TARGETS = ["lab", "aws", "home"] as const satisfies readonly TargetName[];
/** Where cloud-init writes the bundle on the bastion; the boot script runs `start` from here. */
export const BUNDLE_DIR_ON_BASTION = "/opt/moon-and-back/netboot";
export const bundleDir = (target: TargetName) => `infra/${target}/netboot`;
/** The file the native supervisor writes once every service answers. */
export const SUPERVISOR_READY = "supervisor/ready";
/** The supervisor's view of each service (pid, restarts), relative to the data dir. */
export const SUPERVISOR_STATUS = "supervisor/status.json";
const COMPOSE_PROJECT = "moon-netboot";

/** A port a service must be listening on before the next one starts. */
export interface ServicePort {
  readonly proto: "tcp" | "udp";
  readonly port: number;
}

/** One service of the lab's native rendering, as the supervisor runs it. */
export interface NativeService {
  /** The container name on aws and home: the lab reports its process under the same name. */
  readonly name: string;
  /** What runs it in the lab, in words (the program and why it stands in for the container). */
  readonly program: string;
  /** Program and arguments; `${CONF}` is the bundle, `${DATA}` the data directory. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ready: readonly ServicePort[];
}

export interface NativePlan {
  readonly restartDelaySeconds: number;
  /** Directories under `${DATA}` the services write to. */
  readonly dataDirs: readonly string[];
  readonly services: readonly NativeService[];
}

const cacheName = (upstream: string) => `registry-${upstream}`;

/** The start order: DNS, the caches, matchbox, then DHCP/TFTP (which points nodes at matchbox). */
export function serviceOrder(model: Model): string[] {
  return ["pihole", ...model.services.caches.map((c) => cacheName(c.upstream)), "matchbox", "dnsmasq"];
}

/** Data directories (relative to the data dir) every rendering uses. */
function dataDirs(model: Model): string[] {
  return [
    "pihole",
    ...model.services.caches.map((c) => `registry/${c.upstream}`),
    "matchbox/assets",
    // The nodes' machine configs hold the cluster's secrets: they live on the data volume,
    // delivered apart from this bundle (generator 04), never in user data or Git.
    "matchbox/generic",
    "tftp",
    "dnsmasq",
    "logs",
    "supervisor",
  ];
}

// --- configuration files (shared by every rendering) ---------------------------------

const conf = (source: string, slots: Record<string, string | Rendered>, from = "the model"): SourceFile => ({
  test: TEST,
  source: `03-netboot/${source}`,
  values: { from, slots },
});

/** One dnsmasq option per value, each checked as a slot's value would be. */
function dnsmasqLines(option: string, values: readonly string[]): Rendered {
  const bad = values.find((v) => !DNSMASQ_VALUE.test(v));
  if (bad !== undefined) throw new Error(`${option}=${JSON.stringify(bad)} cannot be a dnsmasq value`);
  return new Rendered(values.map((v) => `${option}=${v}\n`).join(""));
}

const registryConfig = (cache: Model["services"]["caches"][number]): SourceFile =>
  conf("registry.yml", {
    service: cacheName(cache.upstream),
    listen: `:${cache.port}`,
    remote_url: cache.remoteUrl,
  });

function dnsmasqNetboot(model: Model, target: TargetName): SourceFile {
  const d = derived(model);
  const subnet = parseIpv4Cidr(model.network.private.cidr);
  if (!subnet) throw new Error("dnsmasqNetboot needs a validated model");
  const bastion_ip = model.bastion.privateIp;
  const dhcp = renderSource(
    conf("dhcp.conf", {
      range: `${d.dhcpRange.start},${d.dhcpRange.end},${cidrNetmask(subnet)},${model.services.dhcp.leaseTime}`,
      router: d.privateRouter,
      bastion_ip,
      local_domain: model.services.dnsFilter.localDomain,
      hosts: dnsmasqLines(
        "dhcp-host",
        d.nodes.map((n) => `${n.mac},${n.ip},${n.name}`),
      ),
      arm64_loader: ARM64_EFI_LOADER,
      matchbox_url: d.matchboxUrl,
    }),
  );
  // A VPC's DHCP is AWS's: there the netboot server is TFTP only.
  return conf(
    "netboot.conf",
    { bastion_ip, dhcp: new Rendered(target === "aws" ? "" : `\n${dhcp}`) },
    "generators/03-netboot/dhcp.conf (not on aws) and the model",
  );
}

/** The DNS filter's own settings: local names and the blocklist (Pi-hole reads them from dnsmasq.d). */
function dnsFilterConf(model: Model): SourceFile {
  const f = model.services.dnsFilter;
  return conf("filter.conf", {
    local_domain: f.localDomain,
    host_records: dnsmasqLines(
      "host-record",
      f.bastionNames.map((n) => `${n}.${f.localDomain},${model.bastion.privateIp}`),
    ),
    blocklist: dnsmasqLines(
      "address",
      f.blocklist.map((dom) => `/${dom}/#`),
    ),
  });
}

/** What Pi-hole sets itself but the lab's plain dnsmasq needs: upstreams, no host files, a query log. */
const dnsFilterNativeConf = (model: Model): SourceFile =>
  conf("native.conf", {
    servers: dnsmasqLines("server", derived(model).dnsFilterUpstreams("lab")),
    dns_port: String(model.services.dnsPort),
  });

// --- matchbox: profiles per architecture and role, groups per node MAC ---------------------

export function profileId(arch: string, role: string): string {
  return `talos-${arch}-${role}`;
}

/** The TFTP name of the loader ARM64 EFI firmware gets: a GRUB EFI image that reaches matchbox's /grub. */
export const ARM64_EFI_LOADER = "grub-arm64.efi";

/** The machine config matchbox serves at /generic for a role (the lab installs it; aws fetches it). */
export const talosConfigId = (role: string) => `talos-${role}.yaml`;

/** Where the Talos assets live under matchbox's /assets (the lab's stand-in payload uses the same paths). */
export const talosAssetDir = (model: Model) => `/assets/talos/${model.versions.talos}`;

export function talosAssetPath(model: Model, arch: string, file: "vmlinuz" | "initramfs"): string {
  return `${talosAssetDir(model)}/${file === "vmlinuz" ? `vmlinuz-${arch}` : `initramfs-${arch}.xz`}`;
}

/**
 * What matchbox selects a node's group by. DHCP targets know each node's MAC; on aws, EC2
 * assigns it, so the node's iPXE user data names the node instead (the nodes module).
 */
export const nodeSelector = (target: TargetName) => (target === "aws" ? "node" : "mac");

/**
 * The kernel's serial console, where the machine's serial port is. EC2 exposes a 16550-style
 * UART as ttyS0 on Graviton as on x86 (Talos's own AWS platform passes console=ttyS0:
 * siderolabs/talos internal/app/machined/pkg/runtime/v1alpha1/platform/aws/aws.go,
 * KernelArgs), and `aws ec2 get-console-output` shows only what reaches it. QEMU's arm64
 * `virt` machine (the lab) and most arm64 boards have a PL011 UART, ttyAMA0.
 */
export const serialConsole = (target: TargetName, arch: "amd64" | "arm64"): string =>
  target === "aws" || arch === "amd64" ? "ttyS0" : "ttyAMA0";

function matchboxFiles(model: Model, target: TargetName, dir: string): GeneratedFile[] {
  const d = derived(model);
  const key = nodeSelector(target);
  const profiles = (["amd64", "arm64"] as const).flatMap((arch) =>
    (["controlplane", "worker"] as const).map((role) => ({
      path: `${dir}/matchbox/profiles/${profileId(arch, role)}.json`,
      content: renderJson({
        id: profileId(arch, role),
        name: `Talos ${model.versions.talos} ${role}, ${arch}`,
        boot: {
          kernel: talosAssetPath(model, arch, "vmlinuz"),
          initrd: [talosAssetPath(model, arch, "initramfs")],
          args: [
            `initrd=initramfs-${arch}.xz`,
            "init_on_alloc=1",
            "slab_nomerge",
            "pti=on",
            "console=tty0",
            `console=${serialConsole(target, arch)}`,
            "printk.devkmsg=on",
            "talos.platform=metal",
            // The loader fills in the MAC (iPXE's ${mac}, and the lab's GRUB image exports one of
            // that name; Talos itself would too), or on aws the node's name its user data set;
            // matchbox picks the node's group, and so its role's config.
            `talos.config=${d.matchboxUrl}/generic?${key}=\${${key}}`,
          ],
        },
        generic_id: talosConfigId(role),
      }),
    })),
  );
  const groups = d.nodes.map((n) => ({
    path: `${dir}/matchbox/groups/${n.name}.json`,
    content: renderJson({
      id: n.name,
      name: `${n.name}: ${n.role}, ${key === "node" ? "arm64" : n.arch}`,
      // EC2 nodes are Graviton whatever the lab's machine is: on aws every profile is arm64's.
      profile: profileId(key === "node" ? "arm64" : n.arch, n.role),
      selector: key === "mac" ? { mac: n.mac } : { node: n.name },
    }),
  }));
  return [...profiles, ...groups];
}

// --- the renderings -------------------------------------------------------------------

/** Compose (aws and home): host networking, as DHCP, TFTP and DNS need; data on the data volume. */
export function composeDoc(model: Model, target: "aws" | "home"): Record<string, unknown> {
  const s = model.services;
  const v = model.versions;
  const data = s.dataDir;
  const service = (name: string, rest: Record<string, unknown>) => ({
    [name]: { container_name: name, network_mode: "host", restart: "unless-stopped", ...rest },
  });
  // No top-level `name`: the start script names the project, so older compose tools read it too.
  return {
    services: {
      ...service("pihole", {
        image: v.images.pihole,
        environment: {
          TZ: model.bastion.schedule.timeZone,
          FTLCONF_dns_upstreams: derived(model).dnsFilterUpstreams(target).join(";"),
          FTLCONF_dns_listeningMode: "all",
          FTLCONF_misc_etc_dnsmasq_d: "true",
          // The admin page stays on loopback: the security group opens DNS only.
          FTLCONF_webserver_port: "127.0.0.1:8053",
        },
        volumes: [`${data}/pihole:/etc/pihole`, "./dns-filter/filter.conf:/etc/dnsmasq.d/10-moon.conf:ro"],
      }),
      ...Object.assign(
        {},
        ...s.caches.map((c) =>
          service(cacheName(c.upstream), {
            image: `${v.images.registryRepository}:${v.registry.version}`,
            environment: {
              // Filled from the parameter store into .env by the start script, when set.
              REGISTRY_PROXY_USERNAME: `\${${envVar(c.upstream)}_USERNAME:-}`,
              REGISTRY_PROXY_PASSWORD: `\${${envVar(c.upstream)}_PASSWORD:-}`,
            },
            volumes: [
              `${data}/registry/${c.upstream}:/var/lib/registry`,
              `./registry/${c.upstream}.yml:/etc/distribution/config.yml:ro`,
            ],
          }),
        ),
      ),
      ...service("matchbox", {
        image: `${v.images.matchboxRepository}:v${v.matchbox.version}`,
        command: [
          `-address=0.0.0.0:${s.matchboxPort}`,
          "-data-path=/var/lib/matchbox",
          "-assets-path=/var/lib/matchbox/assets",
          "-log-level=debug",
        ],
        volumes: [
          "./matchbox/profiles:/var/lib/matchbox/profiles:ro",
          "./matchbox/groups:/var/lib/matchbox/groups:ro",
          `${data}/matchbox/assets:/var/lib/matchbox/assets:ro`,
          `${data}/matchbox/generic:/var/lib/matchbox/generic:ro`,
        ],
      }),
      ...service("dnsmasq", {
        image: v.images.dnsmasq,
        command: [
          "--keep-in-foreground",
          "--log-facility=-",
          "--conf-file=/etc/dnsmasq.d/netboot.conf",
          "--tftp-root=/var/lib/moon-tftp",
          "--dhcp-leasefile=/var/lib/misc/dnsmasq.leases",
        ],
        cap_add: ["NET_ADMIN"],
        volumes: [
          "./dnsmasq/netboot.conf:/etc/dnsmasq.d/netboot.conf:ro",
          `${data}/tftp:/var/lib/moon-tftp`,
          `${data}/dnsmasq:/var/lib/misc`,
        ],
      }),
    },
  };
}

/** The lab: the same services as native processes in the bastion's namespace. */
export function nativePlan(model: Model): NativePlan {
  const s = model.services;
  return {
    restartDelaySeconds: s.restartDelaySeconds,
    dataDirs: dataDirs(model),
    services: [
      {
        name: "pihole",
        program:
          "dnsmasq as the DNS filter (Pi-hole's engine is a dnsmasq fork; Pi-hole itself needs a container)",
        argv: [
          "dnsmasq",
          "--keep-in-foreground",
          "--log-facility=-",
          "--user=root",
          "--pid-file=${DATA}/supervisor/pihole.pid",
          "--conf-file=${CONF}/dns-filter/filter.conf",
          "--conf-file=${CONF}/dns-filter/native.conf",
        ],
        env: {},
        ready: [
          { proto: "udp", port: s.dnsPort },
          { proto: "tcp", port: s.dnsPort },
        ],
      },
      ...s.caches.map((c) => ({
        name: cacheName(c.upstream),
        program: `registry ${model.versions.registry.version} (CNCF distribution), built from its Go module`,
        argv: ["registry", "serve", `\${CONF}/registry/${c.upstream}.yml`],
        env: {
          REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: `\${DATA}/registry/${c.upstream}`,
          // From the bundle's .env, as compose has them; unset when none is stored.
          REGISTRY_PROXY_USERNAME: `\${${envVar(c.upstream)}_USERNAME}`,
          REGISTRY_PROXY_PASSWORD: `\${${envVar(c.upstream)}_PASSWORD}`,
        },
        ready: [{ proto: "tcp" as const, port: c.port }],
      })),
      {
        name: "matchbox",
        program: `matchbox ${model.versions.matchbox.version}, built from its Go module`,
        argv: [
          "matchbox",
          `-address=0.0.0.0:${s.matchboxPort}`,
          // The data volume's matchbox folder: the bundle's profiles and groups linked in
          // beside the machine configs (the start script links them).
          "-data-path=${DATA}/matchbox",
          "-assets-path=${DATA}/matchbox/assets",
          "-log-level=debug",
        ],
        env: {},
        ready: [{ proto: "tcp", port: s.matchboxPort }],
      },
      {
        name: "dnsmasq",
        program: "dnsmasq (Debian's), DHCP and TFTP",
        argv: [
          "dnsmasq",
          "--keep-in-foreground",
          "--log-facility=-",
          "--user=root",
          "--pid-file=${DATA}/supervisor/dnsmasq.pid",
          "--dhcp-leasefile=${DATA}/dnsmasq/dnsmasq.leases",
          "--conf-file=${CONF}/dnsmasq/netboot.conf",
          "--tftp-root=${DATA}/tftp",
        ],
        env: {},
        ready: [{ proto: "udp", port: s.tftpPort }],
      },
    ],
  };
}

/** The .env variable prefix of a cache's credentials: the start script's `tr 'a-z.-' 'A-Z__'`. */
const envVar = (upstream: string) => upstream.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/** The bundle's start script: the same file for every target; the runtime decides the rendering. */
export const startScript = (model: Model): string => renderSource(startSource(model));

function startSource(model: Model): SourceFile {
  const settings = shellAssignments({
    talos_version: model.versions.talos,
    compose_version: model.versions.composePlugin,
    config_parameters: `${model.nodes.configParameterPath}/configs`,
    credential_parameters: model.services.registryCredentialsPath,
    upstreams: model.services.caches.map((c) => c.upstream),
    data_dir: model.services.dataDir,
    data_dirs: dataDirs(model),
    node_roles: NODE_ROLES,
    config_files: NODE_ROLES.map(talosConfigId),
    services: serviceOrder(model),
    arm64_loader: ARM64_EFI_LOADER,
    compose_project: COMPOSE_PROJECT,
    supervisor_ready: SUPERVISOR_READY,
  });
  return {
    test: TEST,
    source: "03-netboot/start.sh",
    values: { from: "the model and the names in generators/03-netboot.ts", slots: { settings } },
  };
}

function bundleReadme(model: Model, target: TargetName): string {
  const plan = nativePlan(model);
  const { start, end } = derived(model).dhcpRange;
  const what = (name: string): string => {
    if (name === "pihole") return "DNS filter: local zone, blocklist, upstreams";
    if (name === "matchbox") return "boot scripts, profiles, groups, assets";
    if (name === "dnsmasq") return target === "aws" ? "TFTP" : `DHCP ${start}–${end}, TFTP`;
    return `pull-through cache of ${name.slice("registry-".length)}`;
  };
  const services = markdownTable(
    ["order", "service", "listens on", "what"],
    serviceOrder(model).map((name, i) => [
      String(i + 1),
      `\`${name}\``,
      (plan.services.find((x) => x.name === name)?.ready ?? []).map((p) => `${p.port}/${p.proto}`).join(", "),
      what(name),
    ]),
  );
  return sourceFile({
    test: TEST,
    source: `03-netboot/bundle-${target}.md`,
    values: { from: "the model", slots: { services: new Rendered(`${services}\n`) } },
  });
}

export const generator03: Generator = {
  test: TEST,
  name: "netboot",
  describe: "dnsmasq, matchbox, five registry caches and the DNS filter, rendered for lab, aws and home",
  generate(model: Model): GeneratedFile[] {
    return NETBOOT_TARGETS.flatMap((target) => {
      const dir = bundleDir(target);
      const files: GeneratedFile[] = [
        { path: `${dir}/README.md`, content: bundleReadme(model, target) },
        { path: `${dir}/start`, content: sourceFile(startSource(model)) },
        { path: `${dir}/dnsmasq/netboot.conf`, content: sourceFile(dnsmasqNetboot(model, target)) },
        { path: `${dir}/dns-filter/filter.conf`, content: sourceFile(dnsFilterConf(model)) },
        ...model.services.caches.map((c) => ({
          path: `${dir}/registry/${c.upstream}.yml`,
          content: sourceFile(registryConfig(c)),
        })),
        ...matchboxFiles(model, target, dir),
      ];
      if (target === "lab")
        files.push(
          { path: `${dir}/services.json`, content: renderJson(nativePlan(model)) },
          { path: `${dir}/dns-filter/native.conf`, content: sourceFile(dnsFilterNativeConf(model)) },
        );
      else
        files.push({
          path: `${dir}/compose.yaml`,
          content: renderYaml(
            composeDoc(model, target),
            `The bastion's netboot services for the ${target} target.\n${generatedHeader(TEST)}`,
          ),
        });
      return files;
    });
  },
};
