// The lab internet's side of the netboot layer: upstream registries under the five
// registry names (HTTPS, with a certificate from a CA the lab makes and only the lab's
// bastion trusts), an upstream DNS that answers for those names, and the shaped link
// between the lab internet and the VPC. This kernel has no netem, so the link's bandwidth
// is shaped by tc's token bucket (tbf) and its latency is added by the upstream registries.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { derived, type Model } from "../model/index.ts";
import { programArgv } from "./dataplane.ts";
import { realClockEnv, run } from "../common/exec.ts";
import { ip, nsExec } from "./netns.ts";
import { startProcess, type LabState } from "./state.ts";
import type { UpstreamRegistryConfig } from "./programs/upstream-registry.ts";

export const upstreamDir = (model: Model) => join(model.lab.stateDir, "upstreams");
/** The CA certificate the lab's bastion trusts for the upstream registries. */
export const upstreamCa = (model: Model) => join(upstreamDir(model), "ca.pem");
/** Every request the upstream registries served, as JSON lines (lab/programs/upstream-registry.ts). */
export const upstreamRequestLog = (model: Model) => join(upstreamDir(model), "requests.jsonl");
export const UPSTREAM_PORT = 443;

/** A CA and one server certificate for every upstream name, made with openssl, kept in the state dir. */
function makeCertificates(model: Model, dir: string): { cert: string; key: string } {
  const d = derived(model);
  const ca = upstreamCa(model);
  const caKey = join(dir, "ca.key");
  const cert = join(dir, "upstreams.pem");
  const key = join(dir, "upstreams.key");
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  // Made on the kernel's clock even under `npm run test:at` (libfaketime), and valid for 400
  // days from it: the registries (Go, which reads the kernel's clock) and the lab's Node
  // programs (which read the moved one) must both accept them.
  const env = realClockEnv();
  run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey]);
  run(
    [
      "openssl",
      "req",
      "-x509",
      "-new",
      "-key",
      caKey,
      "-sha256",
      "-days",
      "400",
      "-subj",
      "/CN=moon-and-back lab internet CA",
      "-out",
      ca,
    ],
    { env },
  );
  run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  const csr = join(dir, "upstreams.csr");
  run(["openssl", "req", "-new", "-key", key, "-subj", "/CN=lab upstream registries", "-out", csr]);
  const ext = join(dir, "upstreams.ext");
  writeFileSync(
    ext,
    `subjectAltName=${d.labUpstreamRegistries.map((r) => `DNS:${r.host}`).join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  run(
    [
      "openssl",
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca,
      "-CAkey",
      caKey,
      "-CAcreateserial",
      "-days",
      "400",
      "-sha256",
      "-extfile",
      ext,
      "-out",
      cert,
    ],
    { env },
  );
  return { cert, key };
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
