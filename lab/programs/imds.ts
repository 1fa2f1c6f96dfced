// The lab bastion's instance metadata service at 169.254.169.254, inside its namespace:
// what EC2 serves an instance, read from the emulator by the lab when it boots the instance.
// It enforces the launch template's http_tokens (IMDSv2 "required": no token, no answer).
//   imds.ts CONFIG_JSON
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

export interface ImdsConfig {
  readonly address: string;
  readonly instanceId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly mac: string;
  readonly localIpv4: string;
  readonly httpTokens: "required" | "optional";
  readonly publicKey?: string;
  readonly role?: string;
}

const file = process.argv[2];
if (!file) {
  console.error("usage: imds.ts CONFIG_JSON");
  process.exit(2);
}
const config = JSON.parse(readFileSync(file, "utf8")) as ImdsConfig;
const tokens = new Map<string, number>();

function metadata(path: string): string | undefined {
  const now = new Date();
  const values: Record<string, string | undefined> = {
    "instance-id": config.instanceId,
    "placement/region": config.region,
    "placement/availability-zone": config.availabilityZone,
    mac: config.mac,
    "local-ipv4": config.localIpv4,
    "public-keys/0/openssh-key": config.publicKey,
    "iam/security-credentials/": config.role,
  };
  if (config.role && path === `iam/security-credentials/${config.role}`)
    // The emulator knows the instance by its key and allows its calls only as far as its
    // profile's role does (lab/moto_lab.py, "IAM, enforced for the lab's instances").
    return JSON.stringify({
      Code: "Success",
      LastUpdated: now.toISOString(),
      Type: "AWS-HMAC",
      AccessKeyId: `ASIALAB${config.instanceId.replace(/^i-/, "").toUpperCase()}`,
      SecretAccessKey: "lab",
      Token: "lab",
      Expiration: new Date(now.getTime() + 6 * 3600_000).toISOString(),
    });
  return values[path];
}

createServer((req, res) => {
  const url = req.url ?? "";
  const log = (status: number) => {
    console.log(`${new Date().toISOString()} ${req.method ?? ""} ${url} ${status}`);
  };
  if (req.method === "PUT" && url === "/latest/api/token") {
    const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"] ?? 0);
    if (!(ttl >= 1 && ttl <= 21600)) {
      res.statusCode = 400;
      log(400);
      res.end();
      return;
    }
    const token = randomBytes(24).toString("base64");
    tokens.set(token, Date.now() + ttl * 1000);
    res.setHeader("x-aws-ec2-metadata-token-ttl-seconds", String(ttl));
    log(200);
    res.end(token);
    return;
  }
  const token = req.headers["x-aws-ec2-metadata-token"];
  const valid = typeof token === "string" && (tokens.get(token) ?? 0) > Date.now();
  if (!valid && (config.httpTokens === "required" || token !== undefined)) {
    res.statusCode = 401;
    log(401);
    res.end();
    return;
  }
  const prefix = "/latest/meta-data/";
  const value = url.startsWith(prefix) ? metadata(url.slice(prefix.length)) : undefined;
  res.statusCode = value === undefined ? 404 : 200;
  log(res.statusCode);
  res.end(value ?? "");
}).listen(80, config.address, () => {
  console.log(
    `listening on ${config.address}:80 for ${config.instanceId} (http_tokens ${config.httpTokens})`,
  );
});
