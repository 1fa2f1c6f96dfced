// The lab internet's side of the netboot layer: upstream registries under the five
// registry names (HTTPS, with a certificate from a CA the lab makes and only the lab's
// bastion trusts), an upstream DNS that answers for those names, and the shaped link
// between the lab internet and the VPC. This kernel has no netem, so the link's bandwidth
// is shaped by tc's token bucket (tbf) and its latency is added by the upstream registries.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { derived, type Model } from "../model/index.ts";
import { programArgv } from "./dataplane.ts";
import { makeServerCertificate } from "../common/certificates.ts";
import { ip, nsExec } from "./netns.ts";
import { startProcess, type LabState } from "./state.ts";
import type { UpstreamRegistryConfig } from "./programs/upstream-registry.ts";

export const upstreamDir = (model: Model) => join(model.lab.stateDir, "upstreams");
/** The CA certificate the lab's bastion trusts for the upstream registries. */
export const upstreamCa = (model: Model) => join(upstreamDir(model), "upstreams-ca.pem");
/** Every request the upstream registries served, as JSON lines (lab/programs/upstream-registry.ts). */
export const upstreamRequestLog = (model: Model) => join(upstreamDir(model), "requests.jsonl");
export const UPSTREAM_PORT = 443;

/** A CA and one server certificate for every upstream name, kept in the state dir. */
function makeCertificates(model: Model, dir: string): { cert: string; key: string } {
  const cert = join(dir, "upstreams.pem");
  const key = join(dir, "upstreams.key");
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  const made = makeServerCertificate(dir, "upstreams", {
    caName: "moon-and-back lab internet CA",
    serverName: "lab upstream registries",
    altNames: derived(model).labUpstreamRegistries.map((r) => `DNS:${r.host}`),
  });
  return { cert: made.cert, key: made.key };
}

/** tbf wants a bucket that holds at least one timer tick of traffic; 10 ms of it, 16 KiB at least. */
function shape(ns: string, dev: string, rateMbit: number): void {
  const burst = Math.max(16 * 1024, Math.ceil((rateMbit * 1e6) / 8 / 100));
  nsExec(ns, [
    "tc",
    "qdisc",
    "replace",
    "dev",
    dev,
    "root",
    "tbf",
    "rate",
    `${rateMbit}mbit`,
    "burst",
    String(burst),
    "latency",
    "200ms",
  ]);
}

export function buildUpstreams(model: Model, state: LabState): void {
  const d = derived(model);
  const ns = d.namespaces.internet;
  const up = model.lab.upstreams;
  const dir = upstreamDir(model);
  mkdirSync(dir, { recursive: true });

  ip(ns, "addr", "add", `${d.labUpstreamDns}/32`, "dev", "lo");
  for (const r of d.labUpstreamRegistries) ip(ns, "addr", "add", `${r.address}/32`, "dev", "lo");

  // Both directions of the link between the lab internet and the VPC's gateway.
  shape(ns, "uplink", up.link.rateMbit);
  shape(d.namespaces.vpc, "igw", up.link.rateMbit);

  const { cert, key } = makeCertificates(model, dir);
  const config: UpstreamRegistryConfig = {
    listeners: d.labUpstreamRegistries,
    port: UPSTREAM_PORT,
    cert,
    key,
    repository: up.testImage.repository,
    tag: up.testImage.tag,
    layerBytes: up.testImage.layerBytes,
    latencyMs: up.link.latencyMs,
    requestLog: upstreamRequestLog(model),
  };
  const configFile = join(dir, "registry.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  startProcess(model, state, {
    name: "upstream-registries",
    ns,
    argv: programArgv("upstream-registry", configFile),
  });

  // The upstream DNS: the registries' names, and the blocklist's names too, so a block by the
  // DNS filter is a block and not a name the internet does not know.
  const records = [
    ...d.labUpstreamRegistries.map((r) => `--host-record=${r.host},${r.address}`),
    ...model.services.dnsFilter.blocklist.map((b) => `--host-record=${b},${d.internetWeb}`),
  ];
  startProcess(model, state, {
    name: "upstream-dns",
    ns,
    argv: [
      "dnsmasq",
      "--keep-in-foreground",
      "--log-facility=-",
      "--log-queries",
      "--no-resolv",
      "--no-hosts",
      "--conf-file=/dev/null",
      "--bind-interfaces",
      `--listen-address=${d.labUpstreamDns}`,
      `--pid-file=${join(dir, "dns.pid")}`,
      ...records,
    ],
  });
}
