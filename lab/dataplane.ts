// The network layer's data plane, built from what the emulator holds after `tofu apply`:
// the VPC router applies each subnet's route table, the internet gateway maps public
// addresses 1:1, and the NAT (instance or gateway) masquerades. All of it lives in
// namespaces the lab creates; the lab internet has no route to the host or the VPC.
import {
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  type Route,
} from "@aws-sdk/client-ec2";
import { join } from "node:path";
import {
  cidrContainsIp,
  cidrHost,
  formatIpv4,
  ipv6CidrHost,
  parseIpv4,
  parseIpv4Cidr,
} from "../model/net.ts";
import { derived, REPO_ROOT, type Model } from "../model/index.ts";
import { awsClients, targetFor } from "../common/target.ts";
import { addNamespace, bridge, ip, nft, nsExec, plug, sysctl, vethPair } from "./netns.ts";
import {
  emulatorSocket,
  startProcess,
  writeState,
  type DataPlane,
  type LabState,
  type PublicAddress,
} from "./state.ts";

/** The internet gateway's nftables table in the VPC router's namespace. */
export const IGW_TABLE = "lab_igw";

/** Node tap devices on the private bridge are named with this prefix (lab/nodes.ts). */
export const NODE_TAP_PREFIX = "tap-node";

/** The command line of one of the lab's own programs (lab/programs/NAME.ts), run by Node with tsx. */
export const programArgv = (name: string, ...args: string[]): string[] => [
  process.execPath,
  "--import",
  // By URL, not by name: a program may start in any working directory (an instance's own).
  import.meta.resolve("tsx"),
  join(REPO_ROOT, "lab", "programs", `${name}.ts`),
  ...args,
];

interface SubnetPlan {
  readonly key: "public" | "private";
  readonly cidr: string;
  readonly cidr6: string;
  readonly bridge: string;
  readonly routerIp: string;
  readonly table: number;
  readonly routeTableId: string;
  /** The subnet router's MAC (locally administered, fixed). */
  readonly routerMac: string;
}

/** Where an AWS default route leads, in words a spec's evidence can show. */
function describeTarget(r: Route | undefined): string {
  if (!r) return "none";
  return r.GatewayId ?? r.NatGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId ?? "unknown";
}

export async function buildDataPlane(
  model: Model,
  state: LabState,
  outputs: Record<string, unknown>,
): Promise<DataPlane> {
  const d = derived(model);
  const ns = d.namespaces;
  const clients = awsClients(targetFor("lab", model));
  try {
    const str = (k: string): string => {
      const v = outputs[k];
      if (typeof v !== "string") throw new Error(`tofu output ${k} is missing from the lab root`);
      return v;
    };
    const subnets: SubnetPlan[] = [
      {
        key: "public",
        cidr: model.network.public.cidr,
        cidr6: str("public_subnet_ipv6_cidr"),
        bridge: "br-pub",
        routerIp: d.publicRouter,
        table: 101,
        routeTableId: str("public_route_table_id"),
        routerMac: "02:4d:42:01:00:01",
      },
      {
        key: "private",
        cidr: model.network.private.cidr,
        cidr6: str("private_subnet_ipv6_cidr"),
        bridge: "br-priv",
        routerIp: d.privateRouter,
        table: 102,
        routeTableId: str("private_route_table_id"),
        routerMac: "02:4d:42:01:00:02",
      },
    ];
    const tables = await clients.ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: subnets.map((s) => s.routeTableId) }),
    );
    const defaultRoute = (id: string) =>
      tables.RouteTables?.find((t) => t.RouteTableId === id)?.Routes?.find(
        (r) => r.DestinationCidrBlock === "0.0.0.0/0",
      );

    // The NAT, as the emulator describes it.
    let nat: DataPlane["nat"] = null;
    let natPublicIp: string | undefined;
    const pubCidr = parseIpv4Cidr(model.network.public.cidr);
    if (!pubCidr) throw new Error("public subnet CIDR");
    const natInstanceId = outputs.nat_instance_id;
    const natGatewayId = outputs.nat_gateway_id;
    if (typeof natInstanceId === "string") {
      const r = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [natInstanceId] }));
      const i = r.Reservations?.[0]?.Instances?.[0];
      if (!i?.PrivateIpAddress)
        throw new Error(`NAT instance ${natInstanceId} has no private address in the emulator`);
      nat = {
        choice: "nat_instance",
        ns: ns.nat,
        privateIp: i.PrivateIpAddress,
        subnet: "public",
        sourceDestCheck: i.SourceDestCheck !== false,
      };
      natPublicIp = i.PublicIpAddress;
    } else if (typeof natGatewayId === "string") {
      const r = await clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natGatewayId] }));
      const addr = r.NatGateways?.[0]?.NatGatewayAddresses?.[0];
      // The emulator picks a gateway address outside its subnet; the lab then uses a fixed one inside.
      const reported = parseIpv4(addr?.PrivateIp ?? "");
      const privateIp =
        reported !== undefined && cidrContainsIp(pubCidr, reported)
          ? formatIpv4(reported)
          : cidrHost(pubCidr, 5);
      nat = { choice: "nat_gateway", ns: ns.nat, privateIp, subnet: "public", sourceDestCheck: false };
      natPublicIp = addr?.PublicIp;
    } else if (model.network.nat === "bastion") {
      // The bastion is the NAT: the route leads to its fixed interface, which outlives every
      // instance; the instance's public address comes and goes with it (lab/instances.ts).
      const eniId = str("bastion_interface_id");
      const r = await clients.ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }),
      );
      const eni = r.NetworkInterfaces?.[0];
      if (!eni?.PrivateIpAddress) throw new Error(`the bastion's interface ${eniId} is not in the emulator`);
      nat = {
        choice: "bastion",
        ns: ns.bastion,
        privateIp: eni.PrivateIpAddress,
        subnet: "private",
        sourceDestCheck: eni.SourceDestCheck !== false,
      };
    }

    // Public IPv4 addresses: each emulator address gets a documentation-range stand-in, so
    // no lab packet ever carries a real public address.
    const publicAddresses: PublicAddress[] = [];
    if (nat && natPublicIp)
      publicAddresses.push({
        owner: typeof natInstanceId === "string" ? natInstanceId : String(natGatewayId),
        privateIp: nat.privateIp,
        emulatorPublicIp: natPublicIp,
        labPublicIp: cidrHost(d.publicRange, d.firstPublicHost + publicAddresses.length),
        nat: true,
      });

    // The lab internet: a router with the web host, and the link to the internet gateway.
    addNamespace(ns.internet);
    addNamespace(ns.vpc);
    const pubPrefix = model.lab.internet.publicCidr.split("/")[1] ?? "24";
    // Internet hosts are local addresses of the router's namespace (on its loopback).
    ip(ns.internet, "addr", "add", `${d.internetRouter}/32`, "dev", "lo");
    ip(ns.internet, "addr", "add", `${d.internetWeb}/32`, "dev", "lo");
    vethPair({ ns: ns.vpc, name: "igw" }, { ns: ns.internet, name: "uplink" });
    ip(ns.internet, "addr", "add", `${d.igwPeer}/${pubPrefix}`, "dev", "uplink");
    ip(ns.vpc, "addr", "add", `${d.igwSide}/${pubPrefix}`, "dev", "igw");
    for (const p of publicAddresses) ip(ns.vpc, "addr", "add", `${p.labPublicIp}/32`, "dev", "igw");
    // The lab internet routes the VPC's private range at the gateway, as a host next to it
    // could; the gateway must drop it, so the exposure probes test the gateway, not a missing route.
    ip(ns.internet, "route", "add", model.network.vpcCidr, "via", d.igwSide, "dev", "uplink");

    // IPv6: the VPC's Amazon block is routed (no NAT) through the gateway's link.
    const vpc6 = str("vpc_ipv6_cidr");
    sysctl(ns.internet, "net.ipv6.conf.all.forwarding", 1);
    ip(ns.internet, "-6", "addr", "add", `${d.igwPeer6}/64`, "dev", "uplink", "nodad");
    ip(ns.vpc, "-6", "addr", "add", `${d.igwSide6}/64`, "dev", "igw", "nodad");
    ip(ns.internet, "-6", "route", "add", vpc6, "via", d.igwSide6, "dev", "uplink");
    // The egress-only gateway: a link of its own out to the lab internet, stateful (below).
    vethPair({ ns: ns.vpc, name: "eigw" }, { ns: ns.internet, name: "eigw-up" });
    ip(ns.internet, "-6", "addr", "add", "fe80::2/64", "dev", "eigw-up", "nodad");
    // The operator's home: one host on its own /64 behind the lab internet.
    addNamespace(ns.home);
    vethPair({ ns: ns.internet, name: "home" }, { ns: ns.home, name: "eth0" });
    ip(ns.internet, "-6", "addr", "add", `${d.labHomeRouter}/64`, "dev", "home", "nodad");
    ip(ns.home, "-6", "addr", "add", `${d.labHome}/64`, "dev", "eth0", "nodad");
    ip(ns.home, "-6", "route", "add", "default", "via", d.labHomeRouter);
    // A stranger: an address on the lab internet that is not the operator's.
    ip(ns.internet, "-6", "addr", "add", `${model.lab.internet.strangerIpv6}/128`, "dev", "lo", "nodad");
    // The regional AWS endpoint's stand-in, relayed to the emulator's socket.
    ip(ns.internet, "addr", "add", `${d.awsEndpoint}/32`, "dev", "lo");

    // The VPC router: one bridge per subnet, one routing table per route table.
    sysctl(ns.vpc, "net.ipv4.ip_forward", 1);
    // Policy routing by input interface; strict reverse-path filtering would drop legitimate replies.
    sysctl(ns.vpc, "net.ipv4.conf.all.rp_filter", 0);
    sysctl(ns.vpc, "net.ipv4.conf.default.rp_filter", 0);
    sysctl(ns.vpc, "net.ipv6.conf.all.forwarding", 1);
    // Bridged traffic goes through the inet hooks too, where security groups are enforced.
    sysctl(ns.vpc, "net.bridge.bridge-nf-call-iptables", 1);
    sysctl(ns.vpc, "net.bridge.bridge-nf-call-ip6tables", 1);
    for (const s of subnets) {
      bridge(ns.vpc, s.bridge, `${s.routerIp}/${s.cidr.split("/")[1] ?? "24"}`, s.routerMac);
      // The subnet router: a fixed link-local address instances route to, and the /64's first address.
      ip(ns.vpc, "-6", "addr", "add", "fe80::1/64", "dev", s.bridge, "nodad");
      ip(ns.vpc, "-6", "addr", "add", `${ipv6CidrHost(s.cidr6, 1)}/64`, "dev", s.bridge, "nodad");
    }
    const defaultRoutes: Record<string, string> = {};
    for (const s of subnets) {
      // The "local" route of every AWS route table: the whole VPC is reachable.
      for (const other of subnets)
        ip(ns.vpc, "route", "add", other.cidr, "dev", other.bridge, "table", String(s.table));
      const r = defaultRoute(s.routeTableId);
      const target = describeTarget(r);
      defaultRoutes[s.key] = target;
      if (r?.GatewayId?.startsWith("igw-"))
        ip(ns.vpc, "route", "add", "default", "via", d.igwPeer, "dev", "igw", "table", String(s.table));
      else if (nat && (r?.NatGatewayId || r?.NetworkInterfaceId || r?.InstanceId)) {
        const natSubnet = nat.subnet;
        const natBridge = subnets.find((x) => x.key === natSubnet)?.bridge ?? "br-pub";
        ip(
          ns.vpc,
          "route",
          "add",
          "default",
          "via",
          nat.privateIp,
          "dev",
          natBridge,
          "table",
          String(s.table),
        );
      }
      ip(ns.vpc, "rule", "add", "iif", s.bridge, "lookup", String(s.table));
      // IPv6: both /64s locally, and each ::/0 or narrower route to a gateway out by its link.
      for (const other of subnets)
        ip(ns.vpc, "-6", "route", "add", other.cidr6, "dev", other.bridge, "table", String(s.table));
      const table = tables.RouteTables?.find((t) => t.RouteTableId === s.routeTableId);
      for (const r of table?.Routes ?? []) {
        const dest = r.DestinationIpv6CidrBlock;
        if (!dest) continue;
        if (r.GatewayId?.startsWith("igw-"))
          ip(ns.vpc, "-6", "route", "add", dest, "via", d.igwPeer6, "dev", "igw", "table", String(s.table));
        else if (r.EgressOnlyInternetGatewayId)
          ip(ns.vpc, "-6", "route", "add", dest, "via", "fe80::2", "dev", "eigw", "table", String(s.table));
      }
      ip(ns.vpc, "-6", "rule", "add", "iif", s.bridge, "lookup", String(s.table));
    }
    // The egress-only gateway lets out only what the VPC started: a reply to a connection
    // from the internet (say, SSH from home) leaving by it is dropped. Replies to the
    // operator leave by the internet gateway only if a route sends them there.
    nft(
      ns.vpc,
      'table ip6 lab_eigw {\n  chain forward {\n    type filter hook forward priority filter; policy accept;\n    oifname "eigw" ct direction reply counter drop\n  }\n}\n',
    );
    // Traffic from the lab internet to the VPC's IPv6 block is delivered by the main table's
    // subnet routes; the security groups decide what gets through.

    // The internet gateway: 1:1 NAT for addresses with a public IPv4; everything else is dropped.
    // The maps exist even when empty: an instance with a public address (the bastion as the
    // NAT) adds its own elements when it boots and removes them when it goes (lab/instances.ts).
    const elements = (list: string[]) => (list.length ? ` elements = { ${list.join(", ")} }` : "");
    const mapped = publicAddresses.map((p) => `${p.privateIp} : ${p.labPublicIp}`);
    const reverse = publicAddresses.map((p) => `${p.labPublicIp} : ${p.privateIp}`);
    const privates = publicAddresses.map((p) => p.privateIp);
    nft(
      ns.vpc,
      [
        `table ip ${IGW_TABLE} {`,
        `  map to_public { type ipv4_addr : ipv4_addr;${elements(mapped)} }`,
        `  map to_private { type ipv4_addr : ipv4_addr;${elements(reverse)} }`,
        `  set has_public { type ipv4_addr;${elements(privates)} }`,
        "  chain prerouting {",
        "    type nat hook prerouting priority dstnat; policy accept;",
        '    iifname "igw" dnat to ip daddr map @to_private',
        "  }",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        '    oifname "igw" snat to ip saddr map @to_public',
        "  }",
        "  chain forward {",
        "    type filter hook forward priority filter; policy accept;",
        '    oifname "igw" ip saddr != @has_public drop',
        '    iifname "igw" ct state established,related accept',
        '    iifname "igw" ct status dnat accept',
        '    iifname "igw" drop',
        "  }",
        "}",
        "",
      ]
        .filter((l) => l !== "")
        .join("\n"),
    );

    // The NAT: an instance running its own user data, or a managed gateway doing the same
    // (the bastion as the NAT runs its own boot script when the hypervisor boots it).
    if (nat && nat.choice !== "bastion") {
      addNamespace(nat.ns);
      plug({
        hostNs: nat.ns,
        routerNs: ns.vpc,
        bridge: "br-pub",
        port: "vn-nat",
        address: `${nat.privateIp}/${model.network.public.cidr.split("/")[1] ?? "24"}`,
        gateway: d.publicRouter,
      });
      if (nat.choice === "nat_instance")
        nsExec(nat.ns, ["bash", join(REPO_ROOT, "infra", "modules", "network", "nat-instance.sh")]);
      else {
        sysctl(nat.ns, "net.ipv4.ip_forward", 1);
        nft(
          nat.ns,
          'table ip nat_gateway {\n  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n    oifname "eth0" masquerade\n  }\n}\n',
        );
      }
      // AWS drops traffic for others at an instance whose source/destination check is on.
      if (nat.sourceDestCheck)
        nft(
          ns.vpc,
          `table bridge lab_sdc {\n  chain output {\n    type filter hook output priority filter; policy accept;\n    oifname "vn-nat" ip daddr != ${nat.privateIp} drop\n  }\n  chain forward {\n    type filter hook forward priority filter; policy accept;\n    oifname "vn-nat" ip daddr != ${nat.privateIp} drop\n    iifname "vn-nat" ip saddr != ${nat.privateIp} drop\n  }\n}\n`,
        );
    }

    // Router advertisements on the private subnet, as the VPC router sends them: iPXE waits
    // about 13 s for one before it gives up on IPv6 (../shared notes: netboot in namespaces).
    // Only the node ports get them: the lab's instances configure IPv6 from the emulator, and
    // a second, autoconfigured address would change what they send from.
    startProcess(model, state, {
      name: "vpc-ra",
      ns: ns.vpc,
      argv: [
        "dnsmasq",
        "--keep-in-foreground",
        "--log-facility=-",
        "--user=root",
        "--port=0",
        "--interface=br-priv",
        "--bind-interfaces",
        "--enable-ra",
        "--dhcp-range=::,constructor:br-priv,ra-only",
        "--leasefile-ro",
        `--pid-file=${join(model.lab.stateDir, "vpc-ra.pid")}`,
      ],
    });
    const notNodes = `icmpv6 type nd-router-advert oifname != "${NODE_TAP_PREFIX}*" drop`;
    nft(
      ns.vpc,
      `table bridge lab_ra {\n  chain output {\n    type filter hook output priority filter; policy accept;\n    ${notNodes}\n  }\n  chain forward {\n    type filter hook forward priority filter; policy accept;\n    ${notNodes}\n  }\n}\n`,
    );

    // A private host to probe from and to.
    addNamespace(ns.privateHost);
    plug({
      hostNs: ns.privateHost,
      routerNs: ns.vpc,
      bridge: "br-priv",
      port: "vn-priv",
      address: `${d.privateHost}/${model.network.private.cidr.split("/")[1] ?? "24"}`,
      gateway: d.privateRouter,
    });

    startProcess(model, state, {
      name: "aws-endpoint",
      ns: ns.internet,
      argv: programArgv("relay", d.awsEndpoint, "80", emulatorSocket(model)),
    });
    startProcess(model, state, {
      name: "web",
      ns: ns.internet,
      argv: programArgv("web", d.internetWeb, String(model.lab.internet.webPort)),
    });

    const plane: DataPlane = {
      nat,
      privateHost: { ns: ns.privateHost, ip: d.privateHost },
      internet: {
        ns: ns.internet,
        web: d.internetWeb,
        webPort: model.lab.internet.webPort,
        stranger: model.lab.internet.strangerIpv6,
        awsEndpoint: d.awsEndpoint,
      },
      home: { ns: ns.home, ip: d.labHome },
      publicAddresses,
      defaultRoutes,
    };
    state.dataPlane = plane;
    writeState(model, state);
    return plane;
  } finally {
    clients.destroy();
  }
}
