// The part of cloud-init the lab's instances need, as EC2's Amazon Linux runs it: user data
// that may be gzipped, a MIME multipart of a `#cloud-config` with `write_files` and shell
// scripts, files written first (under the instance's own root) and scripts run after.
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";

export interface WriteFile {
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
}

export interface UserData {
  readonly files: WriteFile[];
  /** Shell scripts, in the order cloud-init runs them. */
  readonly scripts: string[];
}

interface CloudConfig {
  write_files?: { path?: unknown; content?: unknown; encoding?: unknown; permissions?: unknown }[];
}

function decodeFile(entry: NonNullable<CloudConfig["write_files"]>[number], index: number): WriteFile {
  if (typeof entry.path !== "string" || !entry.path.startsWith("/"))
    throw new Error(`write_files[${index}] has no absolute path`);
  const raw = typeof entry.content === "string" ? entry.content : "";
  const encoding = typeof entry.encoding === "string" ? entry.encoding : "text/plain";
  let content: Buffer;
  if (encoding === "gz+b64" || encoding === "gzip+base64") content = gunzipSync(Buffer.from(raw, "base64"));
  else if (encoding === "b64" || encoding === "base64") content = Buffer.from(raw, "base64");
  else if (encoding === "text/plain") content = Buffer.from(raw, "utf8");
  else
    throw new Error(
      `write_files[${index}] (${entry.path}) has an encoding cloud-init does not know: ${encoding}`,
    );
  const perms = typeof entry.permissions === "string" ? entry.permissions : "0644";
  if (!/^0?[0-7]{3,4}$/.test(perms)) throw new Error(`write_files[${index}] has bad permissions ${perms}`);
  return { path: entry.path, content, mode: parseInt(perms, 8) };
}

function part(body: string, into: UserData): void {
  if (body.startsWith("#cloud-config")) {
    const doc = (parse(body) ?? {}) as CloudConfig;
    (doc.write_files ?? []).forEach((f, i) => into.files.push(decodeFile(f, i)));
  } else if (body.startsWith("#!")) into.scripts.push(body);
  else if (body.trim() !== "")
    throw new Error(`a user-data part cloud-init would not run: ${body.slice(0, 40)}…`);
}

/** Decodes user data as EC2 hands it over (the bytes after base64). */
export function parseUserData(bytes: Buffer): UserData {
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
  const out: UserData = { files: [], scripts: [] };
  const boundary = /^Content-Type: multipart\/mixed; boundary="([^"]+)"/im.exec(
    text.split("\n\n")[0] ?? "",
  )?.[1];
  if (!boundary) {
    part(text, out);
    return out;
  }
  const sections = text.split(`--${boundary}`);
  for (const section of sections.slice(1)) {
    if (section.startsWith("--")) break;
    const split = section.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
    const headers = split[0] ?? "";
    const body = split
      .slice(1)
      .join("\n\n")
      .replace(/\r?\n$/, "");
    if (!/^Content-Type: text\/(cloud-config|x-shellscript)/im.test(headers))
      throw new Error(`a user-data part of a type the lab does not run: ${headers.split("\n")[0] ?? ""}`);
    part(body, out);
  }
  return out;
}
