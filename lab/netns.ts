// Network-namespace primitives. Every command here names the namespace it acts in
// (`ip -n NS …`, `ip netns exec NS …`): nothing is configured in the host's own
// namespace, and no lab namespace gets a route to the host's network.
import { run, type RunOptions, type RunResult } from "../common/exec.ts";

export function listNamespaces(prefix: string): string[] {
  return run(["ip", "netns", "list"])
    .stdout.split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith(prefix));
}

export function addNamespace(name: string): void {
  run(["ip", "netns", "add", name]);
  ip(name, "link", "set", "lo", "up");
}

export function deleteNamespace(name: string): void {
  run(["ip", "netns", "delete", name], { allowFailure: true });
}

/** `ip -n NS …` */
export function ip(ns: string, ...args: string[]): RunResult {
  return run(["ip", "-n", ns, ...args]);
}

/** Runs a program inside a namespace. */
export function nsExec(ns: string, argv: readonly string[], opts: RunOptions = {}): RunResult {
  return run(["ip", "netns", "exec", ns, ...argv], opts);
}

export function sysctl(ns: string, key: string, value: string | number): void {
  nsExec(ns, ["sysctl", "-q", "-w", `${key}=${value}`]);
}

/** Loads an nftables ruleset inside a namespace. */
export function nft(ns: string, ruleset: string): void {
  nsExec(ns, ["nft", "-f", "-"], { input: ruleset });
}

/**
 * A veth pair made directly between two namespaces (never passing through the host's),
 * each end renamed and brought up.
 */
export function vethPair(a: { ns: string; name: string }, b: { ns: string; name: string }): void {
  ip(a.ns, "link", "add", a.name, "type", "veth", "peer", "name", b.name, "netns", b.ns);
  ip(a.ns, "link", "set", a.name, "up");
  ip(b.ns, "link", "set", b.name, "up");
}

/**
 * A bridge with a fixed MAC: left to itself, a Linux bridge takes the lowest MAC of its
 * ports, so plugging in an instance could change the router's MAC under its hosts, which
 * then send to the old one until their neighbour entries expire (a minute of lost SYNs,
 * seen when the bastion's second interface was plugged in). A VPC router's never changes.
 */
export function bridge(ns: string, name: string, address: string, mac: string): void {
  ip(ns, "link", "add", name, "type", "bridge");
  ip(ns, "link", "set", name, "address", mac);
  ip(ns, "addr", "add", address, "dev", name);
  ip(ns, "link", "set", name, "up");
}

/** Plugs a host namespace into a bridge: `eth0` inside the host, `port` on the bridge. */
export function plug(opts: {
  hostNs: string;
  routerNs: string;
  bridge: string;
  port: string;
  address: string;
  gateway: string;
}): void {
  vethPair({ ns: opts.routerNs, name: opts.port }, { ns: opts.hostNs, name: "eth0" });
  ip(opts.routerNs, "link", "set", opts.port, "master", opts.bridge);
  ip(opts.hostNs, "addr", "add", opts.address, "dev", "eth0");
  ip(opts.hostNs, "route", "add", "default", "via", opts.gateway);
}

/** The MAC address of an interface in a namespace. */
export function macOf(ns: string, dev: string): string {
  const m = /link\/ether ([0-9a-f:]{17})/.exec(ip(ns, "link", "show", dev).stdout);
  if (!m?.[1]) throw new Error(`no MAC address on ${dev} in ${ns}`);
  return m[1];
}
