// The lab's multi-arch test image, built here from nothing but bytes: an OCI image index
// with an amd64 and an arm64 manifest, each with a config and one gzipped tar layer. The
// layer's payload is pseudo-random (incompressible) and derived from the repository name,
// so every repository is a different image with stable digests: a spec or benchmark can
// ask for a repository no cache has seen yet.
import { createCipheriv, createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

export const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

export const ARCHES = ["amd64", "arm64"] as const;

export interface Blob {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface TestImage {
  readonly index: Blob;
  /** Per-architecture manifests, configs and layers, by digest. */
  readonly blobs: ReadonlyMap<string, Blob>;
  readonly manifests: Readonly<Record<(typeof ARCHES)[number], Blob>>;
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const blob = (mediaType: string, bytes: Buffer): Blob => ({ digest: sha256(bytes), mediaType, bytes });
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** A POSIX ustar archive of regular files, with fixed owners and times (so digests are stable). */
export function tar(files: readonly { name: string; content: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 99) throw new Error(`tar: name too long: ${f.name}`);
    const h = Buffer.alloc(512);
    const put = (text: string, offset: number, length: number) => {
      h.write(text.slice(0, length), offset, "ascii");
    };
    const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, "0") + "\0";
    put(f.name, 0, 100);
    put(octal(0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(f.content.length, 12), 124, 12);
    put(octal(0, 12), 136, 12);
    put("        ", 148, 8);
    put("0", 156, 1);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    let sum = 0;
    for (const byte of h) sum += byte;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    parts.push(h, f.content, Buffer.alloc((512 - (f.content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Incompressible bytes from a seed: AES-256-CTR over zeros, keyed by the seed's hash. */
export function pseudoRandom(seed: string, length: number): Buffer {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

export function buildTestImage(repository: string, layerBytes: number): TestImage {
  const blobs = new Map<string, Blob>();
  const add = (b: Blob) => {
    blobs.set(b.digest, b);
    return b;
  };
  const manifests = {} as Record<(typeof ARCHES)[number], Blob>;
  for (const arch of ARCHES) {
    const layerTar = tar([
      { name: "hello.txt", content: Buffer.from(`hello from ${repository} on ${arch}\n`) },
      { name: "payload.bin", content: pseudoRandom(`${repository}/${arch}`, layerBytes) },
    ]);
    const layer = add(blob(MEDIA.layer, gzipSync(layerTar, { level: 1 })));
    const diffId = sha256(layerTar);
    const config = add(
      blob(
        MEDIA.config,
        json({
          architecture: arch,
          os: "linux",
          config: { Cmd: ["/hello.txt"] },
          rootfs: { type: "layers", diff_ids: [diffId] },
        }),
      ),
    );
    manifests[arch] = add(
      blob(
        MEDIA.manifest,
        json({
          schemaVersion: 2,
          mediaType: MEDIA.manifest,
          config: { mediaType: MEDIA.config, digest: config.digest, size: config.bytes.length },
          layers: [{ mediaType: MEDIA.layer, digest: layer.digest, size: layer.bytes.length }],
        }),
      ),
    );
  }
  const index = add(
    blob(
      MEDIA.index,
      json({
        schemaVersion: 2,
        mediaType: MEDIA.index,
        manifests: ARCHES.map((arch) => ({
          mediaType: MEDIA.manifest,
          digest: manifests[arch].digest,
          size: manifests[arch].bytes.length,
          platform: { architecture: arch, os: "linux" },
        })),
      }),
    ),
  );
  return { index, blobs, manifests };
}
