// A private CA and one server certificate it signs, made with openssl: for the lab's upstream
// registries and for the setup spec's stand-in release host.
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { realClockEnv, run } from "./exec.ts";

export interface ServerCertificate {
  /** The CA's certificate (PEM), for the clients to trust. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Writes `<name>-ca.pem` (and its key), `<name>.pem` and `<name>.key` into `dir`. `altNames`
 * are subjectAltName entries (`DNS:registry-1.docker.io`, `IP:127.0.0.1`).
 */
export function makeServerCertificate(
  dir: string,
  name: string,
  opts: { readonly caName: string; readonly serverName: string; readonly altNames: readonly string[] },
): ServerCertificate {
  const [ca, caKey, cert, key, csr, ext] = ["-ca.pem", "-ca.key", ".pem", ".key", ".csr", ".ext"].map((s) =>
    join(dir, `${name}${s}`),
  ) as [string, string, string, string, string, string];
  // Made on the kernel's clock even under `npm run test:at` (libfaketime), and valid for 400
  // days from it: Go programs (which read the kernel's clock) and Node programs (which read
  // the moved one) must both accept them.
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
      `/CN=${opts.caName}`,
      "-out",
      ca,
    ],
    { env },
  );
  run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  run(["openssl", "req", "-new", "-key", key, "-subj", `/CN=${opts.serverName}`, "-out", csr]);
  writeFileSync(ext, `subjectAltName=${opts.altNames.join(",")}\nextendedKeyUsage=serverAuth\n`);
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
  return { ca, cert, key };
}
