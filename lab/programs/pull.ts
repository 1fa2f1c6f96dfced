// An image pull through the registry API, run inside a lab namespace: the index by tag (or
// a manifest by digest), the platform's manifest, its config and layers, each blob checked
// against its digest, as containerd would. Prints one JSON result.
//   pull.ts REGISTRY_URL REPOSITORY REFERENCE ARCH [timeoutMs]
import { createHash } from "node:crypto";
import { request } from "undici";

export interface PullResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
  /** Bytes of manifests and blobs received. */
  readonly bytes: number;
  /** The digest the reference resolved to, and the platform manifest's. */
  readonly resolved?: string;
  readonly manifest?: string;
  readonly requests: number;
}

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

interface Descriptor {
  digest: string;
  mediaType?: string;
  platform?: { architecture?: string; os?: string };
}

const [base, repository, reference, arch, timeout] = process.argv.slice(2);
const timeoutMs = Number(timeout ?? 60_000);
const start = Date.now();
let bytes = 0;
let requests = 0;

async function get(path: string, accept?: string): Promise<{ body: Buffer; type: string; digest: string }> {
  requests++;
  const r = await request(`${base}/v2/${repository}/${path}`, {
    headers: accept ? { accept } : {},
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const body = Buffer.from(await r.body.arrayBuffer());
  if (r.statusCode !== 200)
    throw new Error(`GET ${path}: HTTP ${r.statusCode}: ${body.toString().slice(0, 200)}`);
  bytes += body.length;
  const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  return { body, type: String(r.headers["content-type"] ?? ""), digest };
}

async function pull(): Promise<PullResult> {
  if (!base || !repository || !reference || !arch)
    throw new Error("usage: pull.ts REGISTRY_URL REPOSITORY REFERENCE ARCH [ms]");
  const top = await get(`manifests/${reference}`, ACCEPT);
  if (reference.startsWith("sha256:") && top.digest !== reference)
    throw new Error(`manifest ${reference} arrived with digest ${top.digest}`);
  let manifest = top;
  const doc = JSON.parse(top.body.toString()) as { manifests?: Descriptor[] };
  if (doc.manifests) {
    const pick = doc.manifests.find((m) => m.platform?.architecture === arch && m.platform.os === "linux");
    if (!pick) throw new Error(`the index has no linux/${arch} manifest`);
    manifest = await get(`manifests/${pick.digest}`, ACCEPT);
    if (manifest.digest !== pick.digest)
      throw new Error(`manifest ${pick.digest} arrived with digest ${manifest.digest}`);
  }
  const m = JSON.parse(manifest.body.toString()) as { config: Descriptor; layers: Descriptor[] };
  for (const d of [m.config, ...m.layers]) {
    const blob = await get(`blobs/${d.digest}`);
    if (blob.digest !== d.digest) throw new Error(`blob ${d.digest} arrived with digest ${blob.digest}`);
  }
  return {
    ok: true,
    ms: Date.now() - start,
    bytes,
    resolved: top.digest,
    manifest: manifest.digest,
    requests,
  };
}

const result: PullResult = await pull().catch((e: unknown) => ({
  ok: false,
  error: e instanceof Error ? e.message : String(e),
  ms: Date.now() - start,
  bytes,
  requests,
}));
console.log(JSON.stringify(result));
