// Unit specs of generator 04 and the Talos configs made from it: the patches carry the
// mirrors, CozyStack's requirements and the installer of each role; configs rendered from
// them pass Talos's own validation; the secrets are made once; what the bastion fetches
// round-trips through the parameter store's chunks; and the EC2 node path keeps the nodes
// private.
import { expect, test } from "@playwright/test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { run } from "../../common/exec.ts";
import { derived, DEFAULT_MODEL, NODE_ROLES, REPO_ROOT, type TargetName } from "../../model/index.ts";
import { generateFiles } from "../../generators/index.ts";
import {
  clusterEndpoint,
  installTarget,
  patchFile,
  schematicFor,
  talosPatchDir,
} from "../../generators/04-talos.ts";
import { installerImage, schematicId } from "../../generators/talos-schematic.ts";
import {
  CHUNK_CHARS,
  chunkName,
  fileSecrets,
  machineConfigDoc,
  fromChunks,
  renderTalosConfigs,
  toChunks,
  type SecretsStore,
} from "../../generators/talos-configs.ts";
import { toolPaths } from "../../setup/tools.ts";

const model = DEFAULT_MODEL;
const tool = toolPaths(model).talosConfig;
const files = generateFiles(model);
const file = (path: string) => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`generator 04 wrote no ${path}`);
  return f.content;
};
// Parsed YAML is walked by the paths Talos documents; a wrong path fails its expect.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call */
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const target of ["lab", "aws", "home"] as TargetName[]) {
  test(`the ${target} patches: mirrors over plain http, CozyStack's requirements, the install disk`, () => {
    const common = parse(file(`${talosPatchDir(target)}/${patchFile("common")}`)) as Doc;
    const mirrors = common.machine.registries.mirrors as Record<string, { endpoints: string[] }>;
    expect(Object.keys(mirrors), "one mirror per cache").toEqual(
      model.services.caches.map((c) => c.upstream),
    );
    for (const c of model.services.caches)
      expect(mirrors[c.upstream]?.endpoints, `${c.upstream} through its cache`).toEqual([
        `http://${model.bastion.privateIp}:${c.port}`,
      ]);
    expect(common.machine.registries.config, "no TLS block for plain-http mirrors").toBeUndefined();
    expect(common.machine.install).toEqual(installTarget(model, target));
    expect(common.cluster.network.cni.name, "CozyStack brings its own CNI").toBe("none");
    expect(common.cluster.proxy.disabled, "and replaces kube-proxy").toBe(true);
    expect(common.machine.kernel.modules.map((m: { name: string }) => m.name)).toEqual(
      expect.arrayContaining(["openvswitch", "drbd", "zfs", "vfio_pci"]),
    );
    expect(common.machine.files[0].content).toContain("device_ownership_from_security_context = true");
  });
}

test("each role installs its Image Factory schematic: control planes the gateway's (with Tailscale), workers the compute set", () => {
  for (const role of NODE_ROLES) {
    const patch = parse(file(`${talosPatchDir("lab")}/${patchFile(role)}`)) as Doc;
    const s = schematicFor(model, role);
    expect(patch.machine.install.image).toBe(installerImage(s, model.versions.talos, "metal"));
    expect(file(`${talosPatchDir("lab")}/schematic-${role}.yaml`)).toContain(`ID ${schematicId(s)}`);
  }
  expect(schematicFor(model, "controlplane").officialExtensions).toContain("siderolabs/tailscale");
  expect(schematicFor(model, "worker").officialExtensions).not.toContain("siderolabs/tailscale");
});

test("the nodes' addresses are reserved for their MACs where DHCP is ours", () => {
  const conf = file("infra/lab/netboot/dnsmasq/netboot.conf");
  for (const n of derived(model).nodes) expect(conf).toContain(`dhcp-host=${n.mac},${n.ip},${n.name}`);
});

test("matchbox finds a node by MAC where DHCP is ours, by the name its iPXE user data gives on aws", () => {
  const n = derived(model).nodes[0];
  if (!n) throw new Error("no node in the model");
  const lab = JSON.parse(file(`infra/lab/netboot/matchbox/groups/${n.name}.json`)) as Doc;
  const aws = JSON.parse(file(`infra/aws/netboot/matchbox/groups/${n.name}.json`)) as Doc;
  expect(lab.selector).toEqual({ mac: n.mac });
  expect(aws.selector).toEqual({ node: n.name });
  expect(aws.profile, "EC2 nodes are Graviton: arm64's profile whatever the lab's machine is").toBe(
    `talos-arm64-${n.role}`,
  );
  const nodesTf = file("infra/modules/nodes/nodes.tf");
  expect(nodesTf, "the iPXE script names the node to matchbox").toContain("set node ${each.key}");
  expect(nodesTf).toContain("/ipxe?node=${each.key}");
  expect(nodesTf, "it keeps trying until the bastion answers").toContain("goto retry");
});

test("EC2 nodes stay private: no public IP, IMDSv2 only, encrypted disks, only the bastion and each other in", () => {
  const nodesTf = file("infra/modules/nodes/nodes.tf");
  const security = file("infra/modules/nodes/security.tf");
  expect(nodesTf, "no public address is ever asked for").not.toMatch(
    /associate_public_ip_address\s*=\s*true/,
  );
  expect(nodesTf, "addresses come from interfaces in the private subnet").toContain(
    'resource "aws_network_interface" "node"',
  );
  expect(nodesTf).toMatch(/http_tokens\s*=\s*"required"/);
  expect(nodesTf.match(/encrypted\s*=\s*true/g)?.length, "system and data disks").toBe(2);
  const ingress = security
    .split("resource ")
    .filter((r) => r.startsWith('"aws_vpc_security_group_ingress_rule"'));
  expect(ingress.length).toBe(3);
  for (const r of ingress) {
    expect(r, "ingress only from security groups, never from an address range").toContain(
      "referenced_security_group_id",
    );
    expect(r).not.toMatch(/cidr_ipv[46]/);
  }
  const vars = file("infra/modules/nodes/variables.tf");
  expect(vars, "the baseline runs no nodes").toMatch(/variable "enabled"[\s\S]*?default\s*=\s*false/);
});

test("a config travels as SecureString chunks of at most 4 KB and comes back byte for byte", () => {
  // Incompressible, so it needs several parts, as the control plane's config does.
  const text = randomBytes(12_000).toString("base64");
  const chunks = toChunks(text);
  expect(chunks.length, "several parts").toBeGreaterThanOrEqual(3);
  expect(chunks.every((c) => c.length <= CHUNK_CHARS)).toBe(true);
  // Out of order, as a parameter store may list them.
  const params = chunks.map((Value, i) => ({ Name: chunkName("/p", i), Value })).reverse();
  expect(fromChunks(params)).toBe(text);
});

test.describe("configs rendered with Talos's library", () => {
  test.skip(!existsSync(tool), `talos-config is not built (${tool}): npm run setup builds it`);
  let dir = "";
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "moon-talos-"));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A store that remembers what it was given. */
  function memoryStore(): SecretsStore & { saves: number; value?: string } {
    const s: SecretsStore & { saves: number; value?: string } = {
      where: "memory",
      saves: 0,
      load: () => Promise.resolve(s.value),
      save: (yaml) => {
        s.saves++;
        s.value = yaml;
        return Promise.resolve();
      },
    };
    return s;
  }

  test("pass Talos's validation, carry the patches, and keep the PKI on a second run", async () => {
    const store = memoryStore();
    const first = await renderTalosConfigs(model, "lab", store, join(dir, "a"));
    expect(first.map((r) => [r.kind, r.ok])).toEqual([
      ["controlplane", true],
      ["worker", true],
    ]);
    const cp = machineConfigDoc(readFileSync(join(dir, "a", "controlplane.yaml"), "utf8")) as unknown as Doc;
    expect(cp.cluster.controlPlane.endpoint).toBe(clusterEndpoint(model));
    expect(cp.machine.registries.mirrors["registry.k8s.io"].endpoints).toEqual([
      `http://${model.bastion.privateIp}:5054`,
    ]);
    expect(cp.cluster.allowSchedulingOnControlPlanes).toBe(true);
    expect(cp.machine.install.image).toBe(
      installerImage(schematicFor(model, "controlplane"), model.versions.talos, "metal"),
    );
    await renderTalosConfigs(model, "lab", store, join(dir, "b"));
    expect(store.saves, "the secrets bundle is made once").toBe(1);
    const again = machineConfigDoc(
      readFileSync(join(dir, "b", "controlplane.yaml"), "utf8"),
    ) as unknown as Doc;
    expect(again.machine.ca.crt, "the same cluster CA").toBe(cp.machine.ca.crt);
  });

  test("a patch with a misspelt field is refused, and the field named", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "machine:\n  instal:\n    disk: /dev/vda\n");
    const r = run(
      [
        tool,
        "gen",
        "--out",
        join(dir, "c"),
        "--cluster",
        "moon",
        "--endpoint",
        clusterEndpoint(model),
        "--patch",
        bad,
      ],
      { allowFailure: true },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/instal/);
  });

  test("secrets kept in a file are reused across runs", async () => {
    const store = fileSecrets(join(dir, "secrets.yaml"));
    await renderTalosConfigs(model, "aws", store, join(dir, "d"));
    const before = readFileSync(join(dir, "secrets.yaml"), "utf8");
    await renderTalosConfigs(model, "aws", store, join(dir, "e"));
    expect(readFileSync(join(dir, "secrets.yaml"), "utf8")).toBe(before);
    const worker = machineConfigDoc(readFileSync(join(dir, "e", "worker.yaml"), "utf8")) as unknown as Doc;
    expect(worker.machine.install.diskSelector, "the aws target picks its install disk by size").toEqual({
      size: "<66GiB",
    });
    expect(
      worker.machine.install.disk,
      "and names no device: Nitro's NVMe numbering is not stable",
    ).toBeUndefined();
  });
});

test("the patches on disk are the generated ones", () => {
  for (const target of ["lab", "aws", "home"] as const)
    expect(readFileSync(join(REPO_ROOT, talosPatchDir(target), patchFile("common")), "utf8")).toBe(
      file(`${talosPatchDir(target)}/${patchFile("common")}`),
    );
});
