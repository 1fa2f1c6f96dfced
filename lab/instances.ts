// The lab's hypervisor: it follows the emulator's instance state and makes each running
// bastion instance real — a namespace on the private subnet with the instance's primary
// interface, an instance metadata service, a real sshd, and the instance's own user data
// run as cloud-init would. When the emulator attaches an interface to the instance, the
// hypervisor hot-plugs it (with the interface's MAC); when the instance terminates, its
// namespace goes. Security groups are enforced here too: after every change, the rules the
// emulator holds are compiled into nftables on the VPC router (lab/security-groups.ts).
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNetworkInterfacesCommand,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { spawn } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { awsClients, targetFor, type AwsClients } from "../common/target.ts";
import { derived, REPO_ROOT, type Model } from "../model/index.ts";
import { cidrContainsIp, cidrHost, parseIpv4, parseIpv4Cidr } from "../model/net.ts";
import { toolPaths } from "../setup/tools.ts";
import { BUNDLE_DIR_ON_BASTION, SUPERVISOR_STATUS } from "../generators/03-netboot.ts";
import type { ServiceStatus } from "./programs/supervisor.ts";
import { parseUserData } from "./cloud-init.ts";
import { IGW_TABLE, programArgv } from "./dataplane.ts";
import { upstreamCa } from "./upstreams.ts";
import { run } from "../common/exec.ts";
import { addNamespace, deleteNamespace, ip, listNamespaces, nsExec } from "./netns.ts";
import { securityGroupRuleset } from "./security-groups.ts";
import { bastionFile, operatorKeyPath, readState, type DataPlane, type PublicAddress } from "./state.ts";
import type { ImdsConfig } from "./programs/imds.ts";

/** The lab's record of the bastion instance it booted (stateDir/bastion.json). */
export interface BastionRecord {
  readonly instanceId: string;
  readonly ns: string;
  readonly primaryIp: string;
  readonly dir: string;
  readonly bootedAt: string;
  /** The sshd host key, as a known_hosts line's key part. */
  readonly hostKey: string;
  /** The user data run: its log, and its exit code once it finished. */
  bootScript: { log: string; exitCode: number | null; finishedAt?: string };
  /** Interfaces hot-plugged after boot, by device index. */
  attached: { eniId: string; device: string; mac: string; privateIp?: string }[];
  /** The public IPv4 the instance holds while it runs, as the lab's internet gateway maps it. */
  publicAddress?: PublicAddress;
}

/** A uid no host account uses: the login user exists only inside the bastion's namespace. */
const LOGIN_UID = 61000;
const HOSTKEY = "ssh_host_ed25519_key";

/** An instance's own filesystem root in the lab: cloud-init writes the user data's files under it. */
export const instanceRoot = (record: Pick<BastionRecord, "dir">) => join(record.dir, "root");

/** The netboot services' data directory on the booted bastion. */
export const bastionDataDir = (model: Model, record: Pick<BastionRecord, "dir">) =>
  join(instanceRoot(record), model.services.dataDir);

/** The supervisor's status of each netboot service on the booted bastion (none before it started). */
export function bastionServices(model: Model, record: Pick<BastionRecord, "dir">): ServiceStatus[] {
  const f = join(bastionDataDir(model, record), SUPERVISOR_STATUS);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as ServiceStatus[]) : [];
}

export function readBastion(model: Model): BastionRecord | undefined {
  const f = bastionFile(model);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as BastionRecord) : undefined;
}

/** The data plane as it is now: what `lab up` built, plus the running bastion's public address. */
export function currentDataPlane(model: Model): DataPlane | undefined {
  const plane = readState(model)?.dataPlane;
  if (!plane) return undefined;
  const own = readBastion(model)?.publicAddress;
  return own ? { ...plane, publicAddresses: [...plane.publicAddresses, own] } : plane;
}

/** The lab address the internet sees for the bastion's public IPv4 (one bastion at a time). */
const bastionPublicHost = (d: ReturnType<typeof derived>) => d.firstPublicHost + 50;

/** Written whole or not at all (a rename), since the specs and `lab up` read it while the hypervisor writes. */
function writeBastion(model: Model, r: BastionRecord | undefined): void {
  const f = bastionFile(model);
  if (!r) {
    rmSync(f, { force: true });
    return;
  }
  writeFileSync(`${f}.tmp`, JSON.stringify(r, null, 2));
  renameSync(`${f}.tmp`, f);
}

/** The operator's key pair for the lab, made once per lab up (the private key never leaves the state dir). */
export function ensureOperatorKey(model: Model): string {
  const key = operatorKeyPath(model);
  if (!existsSync(key)) {
    mkdirSync(join(model.lab.stateDir, "operator"), { recursive: true, mode: 0o700 });
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "operator@lab-home", "-f", key]);
  }
  return readFileSync(`${key}.pub`, "utf8").trim();
}

async function waitForLine(file: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file) && readFileSync(file, "utf8").includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} did not say "${text}" within ${timeoutMs / 1000} s`);
}

export class Hypervisor {
  private readonly aws: AwsClients;
  private readonly d;
  private lastRuleset = "";
  private readonly log: string;
  /** Set by the daemon on SIGTERM: no instance is booted after it. */
  stopping = false;

  constructor(private readonly model: Model) {
    this.aws = awsClients(targetFor("lab", model));
    this.d = derived(model);
    this.log = join(model.lab.stateDir, "hypervisor-events.log");
  }

  private note(what: string): void {
    const line = `${new Date().toISOString()} ${what}`;
    console.log(line);
    appendFileSync(this.log, `${line}\n`);
  }

  /** One pass: boot, tear down and hot-plug to match the emulator; enforce security groups. */
  async reconcile(): Promise<void> {
    const r = await this.aws.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:Name", Values: [this.model.bastion.name] },
          { Name: "instance-state-name", Values: ["pending", "running"] },
        ],
      }),
    );
    const running = (r.Reservations ?? [])
      .flatMap((x) => x.Instances ?? [])
      .sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0));
    const live = running[0];
    const current = readBastion(this.model);
    if (current && current.instanceId !== live?.InstanceId) {
      this.note(`instance ${current.instanceId} is no longer running: tearing down ${current.ns}`);
      this.teardown(current);
    }
    const enis = (await this.aws.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
    if (live?.InstanceId && readBastion(this.model)?.instanceId !== live.InstanceId && !this.stopping) {
      this.note(`instance ${live.InstanceId} is running: booting it in ${this.d.namespaces.bastion}`);
      try {
        await this.boot(live, enis);
      } catch (e) {
        // Nothing half-booted stays: the next pass boots it again from scratch.
        this.note(
          `instance ${live.InstanceId}: boot failed, tearing down: ${e instanceof Error ? e.message : String(e)}`,
        );
        this.removeNamespace(this.d.namespaces.bastion);
        this.unmapPublicAddress();
        writeBastion(this.model, undefined);
        throw e;
      }
    }
    const booted = readBastion(this.model);
    if (booted) this.hotplug(booted, enis);
    const ruleset = await securityGroupRuleset(this.model, this.aws, enis);
    if (ruleset !== this.lastRuleset) {
      nsExec(this.d.namespaces.vpc, ["nft", "-f", "-"], { input: ruleset });
      this.lastRuleset = ruleset;
      this.note("security groups compiled into the VPC router's nftables");
    }
  }

  private async boot(instance: Instance, enis: NetworkInterface[]): Promise<void> {
    const id = instance.InstanceId ?? "";
    const ns = this.d.namespaces.bastion;
    const dir = join(this.model.lab.stateDir, "instances", id);
    const primary = enis.find((e) => e.Attachment?.InstanceId === id && e.Attachment.DeviceIndex === 0);
    const mac = primary?.MacAddress ?? instance.NetworkInterfaces?.[0]?.MacAddress;
    const primaryIp = instance.PrivateIpAddress;
    if (!mac || !primaryIp) throw new Error(`instance ${id} has no primary interface in the emulator`);
    mkdirSync(dir, { recursive: true });
    this.removeNamespace(ns);
    addNamespace(ns);

    // The primary interface, as EC2's DHCP and router advertisements would configure it, in
    // the subnet the instance was launched in (the bastion as the NAT starts in the public one).
    const subnet = this.subnetOf(primaryIp);
    this.plugInterface(ns, "eth0", "vb-eth0", mac, subnet.bridge);
    ip(ns, "addr", "add", `${primaryIp}/${subnet.prefix}`, "dev", "eth0");
    ip(ns, "route", "add", "default", "via", subnet.router);
    ip(ns, "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    // Its public IPv4, mapped at the internet gateway before it runs anything, as on EC2.
    const publicAddress = instance.PublicIpAddress
      ? this.mapPublicAddress(id, primaryIp, instance.PublicIpAddress)
      : undefined;

    // The image: a login user that exists only in this namespace (ip netns exec binds
    // /etc/netns/NS/* over /etc), with the key pair the instance was launched with.
    const user = this.model.bastion.sshUser;
    const home = join(dir, "home", user);
    const etc = `/etc/netns/${ns}`;
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      join(etc, "passwd"),
      `${readFileSync("/etc/passwd", "utf8").trimEnd()}\n${user}:x:${LOGIN_UID}:${LOGIN_UID}:lab bastion login:${home}:/bin/bash\n`,
    );
    // Name resolution as the VPC's resolver gives it: the lab's upstream DNS, through the NAT.
    writeFileSync(join(etc, "resolv.conf"), `nameserver ${this.d.labUpstreamDns}\n`);
    writeFileSync(
      join(etc, "group"),
      `${readFileSync("/etc/group", "utf8").trimEnd()}\n${user}:x:${LOGIN_UID}:\n`,
    );
    const publicKey = await this.launchKey(instance);
    mkdirSync(join(home, ".ssh"), { recursive: true });
    writeFileSync(join(home, ".ssh", "authorized_keys"), `${publicKey}\n`);
    run(["chown", "-R", `${LOGIN_UID}:${LOGIN_UID}`, home]);
    chmodSync(home, 0o700);
    chmodSync(join(home, ".ssh"), 0o700);
    chmodSync(join(home, ".ssh", "authorized_keys"), 0o600);

    // Instance metadata, with the launch template's token requirement.
    ip(ns, "addr", "add", "169.254.169.254/32", "dev", "lo");
    const template = await this.launchTemplate(instance);
    const imds: ImdsConfig = {
      address: "169.254.169.254",
      instanceId: id,
      region: this.model.region,
      availabilityZone: instance.Placement?.AvailabilityZone ?? this.model.network.availabilityZone,
      mac,
      localIpv4: primaryIp,
      httpTokens: template.httpTokens,
      publicKey,
      ...(template.role ? { role: template.role } : {}),
    };
    writeFileSync(join(dir, "imds.json"), JSON.stringify(imds, null, 2));
    this.start(ns, join(dir, "imds.log"), programArgv("imds", join(dir, "imds.json")));
    // On EC2 the metadata service is there before the instance runs anything.
    await waitForLine(join(dir, "imds.log"), "listening", 20_000);

    // sshd: key-only, the one login user, a host key of this instance's own.
    const hostKey = join(dir, HOSTKEY);
    rmSync(hostKey, { force: true });
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", id, "-f", hostKey]);
    writeFileSync(
      join(dir, "sshd_config"),
      [
        "ListenAddress 0.0.0.0",
        "ListenAddress ::",
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, "sshd.pid")}`,
        "AuthenticationMethods publickey",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin no",
        `AllowUsers ${user}`,
        "UsePAM no",
        "StrictModes yes",
        "X11Forwarding no",
        "",
      ].join("\n"),
    );
    // sshd insists on its privilege-separation directory; the lab removes it if it made it.
    if (!existsSync("/run/sshd")) {
      mkdirSync("/run/sshd", { mode: 0o755 });
      writeFileSync(join(this.model.lab.stateDir, "made-run-sshd"), "");
    }
    this.start(ns, join(dir, "sshd.log"), ["/usr/sbin/sshd", "-D", "-e", "-f", join(dir, "sshd_config")]);

    const record: BastionRecord = {
      instanceId: id,
      ns,
      primaryIp,
      dir,
      bootedAt: new Date().toISOString(),
      hostKey: readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" "),
      bootScript: { log: join(dir, "cloud-init-output.log"), exitCode: null },
      attached: [],
      ...(publicAddress ? { publicAddress } : {}),
    };
    writeBastion(this.model, record);

    // cloud-init: the instance's own user data, as EC2 hands it over.
    const attr = await this.aws.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "userData" }),
    );
    // cloud-init: files first (under the instance's own root), then the scripts in order.
    const userData = parseUserData(Buffer.from(attr.UserData?.Value ?? "", "base64"));
    const root = instanceRoot(record);
    for (const f of userData.files) {
      const path = join(root, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content, { mode: f.mode });
      chmodSync(path, f.mode);
    }
    const scripts = userData.scripts.map((text, i) => {
      const path = join(dir, `user-data-${i + 1}`);
      writeFileSync(path, text, { mode: 0o700 });
      return path;
    });
    const script = join(dir, "user-data");
    writeFileSync(script, `set -e\n${scripts.map((p) => `/bin/bash ${p}`).join("\n")}\n`, { mode: 0o700 });
    const tools = toolPaths(this.model);
    const venvBin = join(tools.venv, "bin");
    const logFile = record.bootScript.log;
    const child = spawn("ip", ["netns", "exec", ns, "/bin/bash", script], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        // The lab's bastion image: the AWS CLI, matchbox and the registry installed, and the
        // lab internet's CA trusted (as an image with a corporate CA bundle would be).
        PATH: [
          venvBin,
          dirname(tools.matchbox),
          dirname(tools.registry),
          "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ].join(":"),
        SSL_CERT_FILE: upstreamCa(this.model),
        HOME: dir,
        // The regional endpoint's stand-in on the lab internet, reached through the NAT.
        AWS_ENDPOINT_URL: `http://${this.d.awsEndpoint}`,
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        // The lab's bastion image runs the netboot services natively (layer 03).
        MOON_CONTAINER_RUNTIME: "native",
        MOON_NETBOOT_START: join(root, BUNDLE_DIR_ON_BASTION, "start"),
        MOON_DATA_DIR: bastionDataDir(this.model, record),
        // The hard cap checks the budget every 15 minutes on EC2; the lab's specs cannot wait.
        MOON_BUDGET_GUARD_SECONDS: "5",
        MOON_SUPERVISOR: programArgv("supervisor").join(" "),
        // What the nodes boot (the stand-in `lab up` built, or Talos's assets) and the TFTP
        // root's loaders (Debian's iPXE, and the GRUB EFI image for arm64 firmware).
        MOON_TALOS_ASSETS: readState(this.model)?.payload?.assets ?? "",
        MOON_TFTP_LOADERS: readState(this.model)?.payload?.loaders ?? "",
      },
    });
    // Each line of the boot's output is logged with the time it was written (cloud-init's
    // own log says when each step ran), so a slow step shows.
    const stamp = (chunk: Buffer) => {
      const lines = chunk
        .toString()
        .split("\n")
        .filter((l) => l !== "");
      appendFileSync(logFile, lines.map((l) => `${new Date().toISOString()} ${l}\n`).join(""));
    };
    child.stdout.on("data", stamp);
    child.stderr.on("data", stamp);
    child.on("exit", (code) => {
      const now = readBastion(this.model);
      if (now?.instanceId !== id) return;
      now.bootScript = { ...now.bootScript, exitCode: code ?? -1, finishedAt: new Date().toISOString() };
      writeBastion(this.model, now);
      this.note(`instance ${id}: user data exited with ${String(code)}`);
    });
  }

  /** Interfaces the emulator attached to the instance after boot appear as devices with their MAC. */
  private hotplug(record: BastionRecord, enis: NetworkInterface[]): void {
    const mine = enis.filter(
      (e) => e.Attachment?.InstanceId === record.instanceId && (e.Attachment.DeviceIndex ?? 0) > 0,
    );
    let changed = false;
    for (const e of mine) {
      if (record.attached.some((a) => a.eniId === e.NetworkInterfaceId)) continue;
      const index = e.Attachment?.DeviceIndex ?? 1;
      const device = `eth${index}`;
      if (!e.MacAddress || !e.NetworkInterfaceId) continue;
      this.plugInterface(
        record.ns,
        device,
        `vb-${device}`,
        e.MacAddress,
        this.subnetOf(e.PrivateIpAddress ?? "").bridge,
      );
      // AWS drops what an interface with its source/destination check on sends or receives
      // for addresses other than its own: a forgotten check on a NAT's interface shows here.
      if (e.SourceDestCheck !== false && e.PrivateIpAddress)
        this.checkSourceDest(`vb-${device}`, e.PrivateIpAddress);
      record.attached.push({
        eniId: e.NetworkInterfaceId,
        device,
        mac: e.MacAddress,
        ...(e.PrivateIpAddress ? { privateIp: e.PrivateIpAddress } : {}),
      });
      this.note(
        `${e.NetworkInterfaceId} attached to ${record.instanceId}: plugged as ${device} (${e.MacAddress})`,
      );
      changed = true;
    }
    for (const a of [...record.attached]) {
      if (mine.some((e) => e.NetworkInterfaceId === a.eniId)) continue;
      ip(this.d.namespaces.vpc, "link", "delete", `vb-${a.device}`);
      this.uncheckSourceDest(`vb-${a.device}`);
      record.attached = record.attached.filter((x) => x !== a);
      this.note(`${a.eniId} detached from ${record.instanceId}: unplugged ${a.device}`);
      changed = true;
    }
    if (changed) {
      const now = readBastion(this.model);
      writeBastion(this.model, { ...record, bootScript: now?.bootScript ?? record.bootScript });
    }
  }

  /** The subnet an address is in, as the VPC router's bridge, router and prefix length. */
  private subnetOf(address: string): { bridge: string; router: string; prefix: string } {
    const pub = parseIpv4Cidr(this.model.network.public.cidr);
    const a = parseIpv4(address);
    if (pub && a !== undefined && cidrContainsIp(pub, a))
      return { bridge: "br-pub", router: this.d.publicRouter, prefix: String(pub.prefix) };
    return {
      bridge: "br-priv",
      router: this.d.privateRouter,
      prefix: this.model.network.private.cidr.split("/")[1] ?? "24",
    };
  }

  /** Maps an instance's public IPv4 at the internet gateway, as the emulator assigned it. */
  private mapPublicAddress(owner: string, privateIp: string, emulatorPublicIp: string): PublicAddress {
    const vpc = this.d.namespaces.vpc;
    const labPublicIp = cidrHost(this.d.publicRange, bastionPublicHost(this.d));
    this.unmapPublicAddress();
    ip(vpc, "addr", "add", `${labPublicIp}/32`, "dev", "igw");
    nsExec(vpc, ["nft", "-f", "-"], {
      input: [
        `add element ip ${IGW_TABLE} to_public { ${privateIp} : ${labPublicIp} }`,
        `add element ip ${IGW_TABLE} to_private { ${labPublicIp} : ${privateIp} }`,
        `add element ip ${IGW_TABLE} has_public { ${privateIp} }`,
        "",
      ].join("\n"),
    });
    this.note(`${owner}: public IPv4 ${emulatorPublicIp} mapped as ${labPublicIp} at the internet gateway`);
    return { owner, privateIp, emulatorPublicIp, labPublicIp, nat: this.model.network.nat === "bastion" };
  }

  /** Removes the bastion's public address from the internet gateway (a no-op when it has none). */
  private unmapPublicAddress(): void {
    const vpc = this.d.namespaces.vpc;
    const labPublicIp = cidrHost(this.d.publicRange, bastionPublicHost(this.d));
    run(["ip", "-n", vpc, "addr", "del", `${labPublicIp}/32`, "dev", "igw"], { allowFailure: true });
    const mapped = run(
      ["ip", "netns", "exec", vpc, "nft", "-j", "list", "map", "ip", IGW_TABLE, "to_private"],
      {
        allowFailure: true,
      },
    ).stdout;
    const m = new RegExp(`"${labPublicIp.replaceAll(".", "\\.")}",\\s*"([0-9.]+)"`).exec(mapped);
    const privateIp = m?.[1];
    if (!privateIp) return;
    nsExec(vpc, ["nft", "-f", "-"], {
      input: [
        `delete element ip ${IGW_TABLE} to_public { ${privateIp} }`,
        `delete element ip ${IGW_TABLE} to_private { ${labPublicIp} }`,
        `delete element ip ${IGW_TABLE} has_public { ${privateIp} }`,
        "",
      ].join("\n"),
    });
  }

  private checkSourceDest(port: string, address: string): void {
    const table = `lab_sdc_${port.replace(/[^A-Za-z0-9]/g, "_")}`;
    nsExec(this.d.namespaces.vpc, ["nft", "-f", "-"], {
      input: `table bridge ${table} {}\ndelete table bridge ${table}\ntable bridge ${table} {\n  chain forward {\n    type filter hook forward priority filter; policy accept;\n    oifname "${port}" ip daddr != ${address} counter drop\n    iifname "${port}" ip saddr != ${address} counter drop\n  }\n  chain output {\n    type filter hook output priority filter; policy accept;\n    oifname "${port}" ip daddr != ${address} counter drop\n  }\n}\n`,
    });
    this.note(`${port}: source/destination check on (only ${address} in or out)`);
  }

  private uncheckSourceDest(port: string): void {
    const table = `lab_sdc_${port.replace(/[^A-Za-z0-9]/g, "_")}`;
    run(["ip", "netns", "exec", this.d.namespaces.vpc, "nft", "delete", "table", "bridge", table], {
      allowFailure: true,
    });
  }

  private plugInterface(ns: string, device: string, port: string, mac: string, bridge: string): void {
    const vpc = this.d.namespaces.vpc;
    ip(vpc, "link", "add", port, "type", "veth", "peer", "name", device, "netns", ns);
    ip(ns, "link", "set", device, "address", mac);
    ip(vpc, "link", "set", port, "master", bridge);
    ip(vpc, "link", "set", port, "up");
    ip(ns, "link", "set", device, "up");
  }

  private teardown(record: BastionRecord): void {
    this.removeNamespace(record.ns);
    for (const a of record.attached) this.uncheckSourceDest(`vb-${a.device}`);
    if (record.publicAddress) this.unmapPublicAddress();
    writeBastion(this.model, undefined);
  }

  /**
   * Kills everything in an instance's namespace, deletes it, and waits until the kernel has
   * removed its ports from the router, so a replacement can plug ports of the same names.
   */
  private removeNamespace(ns: string): void {
    if (!listNamespaces(ns).includes(ns)) return;
    const pids = run(["ip", "netns", "pids", ns], { allowFailure: true }).stdout.split("\n").filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    deleteNamespace(ns);
    rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    const vpc = this.d.namespaces.vpc;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const ports = run(["ip", "-n", vpc, "-o", "link", "show"], { allowFailure: true }).stdout;
      if (!/ vb-eth\d+@/.test(ports)) return;
      run(["sleep", "0.1"]);
    }
    throw new Error(`the ports of ${ns} are still on the router 10 s after it was deleted`);
  }

  private async launchKey(instance: Instance): Promise<string> {
    if (!instance.KeyName)
      throw new Error(`instance ${instance.InstanceId ?? ""} was launched without a key pair`);
    const r = await this.aws.ec2.send(
      new DescribeKeyPairsCommand({ KeyNames: [instance.KeyName], IncludePublicKey: true }),
    );
    const key = r.KeyPairs?.[0]?.PublicKey;
    if (!key) throw new Error(`key pair ${instance.KeyName} has no public key in the emulator`);
    return key.trim();
  }

  /** What the instance's launch template asks for (the emulator's group does not apply all of it). */
  private async launchTemplate(
    instance: Instance,
  ): Promise<{ httpTokens: "required" | "optional"; role?: string }> {
    const tag = (k: string) => instance.Tags?.find((t) => t.Key === k)?.Value;
    const id = tag("aws:ec2launchtemplate:id");
    if (!id) return { httpTokens: "optional" };
    const r = await this.aws.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: id,
        Versions: [tag("aws:ec2launchtemplate:version") ?? "$Latest"],
      }),
    );
    const data = r.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    const arn = data?.IamInstanceProfile?.Arn ?? "";
    return {
      httpTokens: data?.MetadataOptions?.HttpTokens === "required" ? "required" : "optional",
      ...(arn ? { role: arn.split("/").pop() ?? "" } : {}),
    };
  }

  private start(ns: string, log: string, argv: readonly string[]): void {
    const fd = openSync(log, "a");
    const child = spawn("ip", ["netns", "exec", ns, ...argv], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    child.unref();
  }

  destroy(): void {
    this.aws.destroy();
  }
}
