// The lab internet's upstream registries: one HTTPS listener per registry name (each at
// its own address, with a certificate from the lab's own CA), serving the lab's multi-arch
// test image through the read side of the registry API. Every request is appended to a log
// (JSON lines) so a spec can count what reached the upstream. Each response waits the
// model's latency first, as a far registry's round trip would.
//
//   upstream-registry.ts <config.json>
import { appendFileSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createServer } from "node:https";
import { buildTestImage, MEDIA, type TestImage } from "../test-image.ts";

export interface UpstreamRegistryConfig {
  readonly listeners: readonly { upstream: string; host: string; address: string }[];
  readonly port: number;
  readonly cert: string;
  readonly key: string;
  /** The test image's repository; `<repository>-<suffix>` serves a distinct image too. */
  readonly repository: string;
  readonly tag: string;
  readonly layerBytes: number;
  readonly latencyMs: number;
  readonly requestLog: string;
}

export interface UpstreamRequest {
  readonly time: string;
  readonly upstream: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
}

const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as UpstreamRegistryConfig;
const images = new Map<string, TestImage>();

function imageFor(name: string): TestImage | undefined {
  if (name !== config.repository && !new RegExp(`^${config.repository}-[a-z0-9-]{1,64}$`).test(name))
    return undefined;
  let image = images.get(name);
  if (!image) {
    image = buildTestImage(name, config.layerBytes);
    // A handful of images at a time is plenty; the oldest goes first.
    if (images.size >= 16) images.delete(images.keys().next().value ?? "");
    images.set(name, image);
  }
  return image;
}

function error(res: ServerResponse, status: number, code: string, message: string): number {
  const body = JSON.stringify({ errors: [{ code, message }] });
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
  return 0;
}

for (const l of config.listeners) {
  const server = createServer(
    { cert: readFileSync(config.cert), key: readFileSync(config.key) },
    (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const method = req.method ?? "GET";
      const respond = (): number => {
        res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
        if (method !== "GET" && method !== "HEAD")
          return error(res, 405, "UNSUPPORTED", "read-only registry");
        if (path === "/v2/" || path === "/v2") {
          res.writeHead(200, { "Content-Type": "application/json", "Content-Length": 2 });
          res.end(method === "HEAD" ? undefined : "{}");
          return 2;
        }
        const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
        if (!m) return error(res, 404, "NOT_FOUND", path);
        const [, name = "", kind, ref = ""] = m;
        const image = imageFor(name);
        if (!image) return error(res, 404, "NAME_UNKNOWN", `repository ${name} is not known`);
        const found =
          kind === "manifests" && ref === config.tag
            ? image.index
            : ref.startsWith("sha256:")
              ? image.blobs.get(ref)
              : undefined;
        const isManifest = (b: { mediaType: string }) =>
          b.mediaType === MEDIA.index || b.mediaType === MEDIA.manifest;
        if (!found || (kind === "manifests" && !isManifest(found)))
          return error(
            res,
            404,
            kind === "manifests" ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN",
            `${name}: ${ref} is not known`,
          );
        res.writeHead(200, {
          "Content-Type": kind === "manifests" ? found.mediaType : "application/octet-stream",
          "Content-Length": found.bytes.length,
          "Docker-Content-Digest": found.digest,
        });
        res.end(method === "HEAD" ? undefined : found.bytes);
        return method === "HEAD" ? 0 : found.bytes.length;
      };
      setTimeout(() => {
        const bytes = respond();
        const entry: UpstreamRequest = {
          time: new Date().toISOString(),
          upstream: l.upstream,
          method,
          path,
          status: res.statusCode,
          bytes,
        };
        appendFileSync(config.requestLog, `${JSON.stringify(entry)}\n`);
      }, config.latencyMs);
    },
  );
  server.listen(config.port, l.address, () => {
    console.log(`${l.upstream} (${l.host}) listening on https://${l.address}:${config.port}`);
  });
}
