// Spec 04 — Talos node netboots (SPEC §4 row 04). Generator 04 makes it pass.
// In the lab each node is a QEMU guest powered on fresh on the private subnet: amd64 through
// SeaBIOS and iPXE, arm64 through UEFI and GRUB. The bastion's own logs say what the node did
// (dnsmasq's lease, matchbox's matches and downloads, the cache's requests from its address),
// and the node's report, fetched from the bastion, says what it found.
import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeVolumesCommand } from "@aws-sdk/client-ec2";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { evidence, expect, test } from "../fixtures/index.ts";
import { LabClient } from "../fixtures/lab.ts";
import type { NetbootClient } from "../fixtures/netboot.ts";
import { BUNDLE_DIR_ON_BASTION, talosAssetPath } from "../generators/03-netboot.ts";
import { run } from "../common/exec.ts";
import { machineConfigDoc, validateTalosConfigs } from "../generators/talos-configs.ts";
import { derived, NODE_ARCHES, NODE_ROLES, REPO_ROOT } from "../model/index.ts";

/** How long power-on to report may take under software emulation, with room for a busy machine. */
const BOOT_TIMEOUT_MS = 180_000;

/** The lines a service logged since a mark (its log's length before the node powered on). */
const since = (netboot: NetbootClient, service: string, mark: number) => netboot.log(service).slice(mark);

/**
 * Talos's install disk size matcher, read as Talos reads it: an optional operator (none is
 * ==) and a size in humanize's units, GB = 10^9 and GiB = 2^30 bytes (siderolabs/talos
 * pkg/machinery/config/types/v1alpha1 InstallDiskSizeMatcher; dustin/go-humanize ParseBytes).
 */
function talosSizeMatches(expr: string, bytes: number): boolean {
  const m = /^\s*(>=|<=|>|<|==)?\s*(\d+(?:\.\d+)?)\s*([KMGTP]i?B|B)?\s*$/i.exec(expr);
  if (!m) return false;
  const unit = (m[3] ?? "B").toUpperCase();
  const powers: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };
  const factor = unit.includes("I") ? 2 ** (10 * "BKMGTP".indexOf(unit[0] ?? "B")) : (powers[unit] ?? NaN);
  const want = Number(m[2]) * factor;
  switch (m[1] ?? "==") {
    case ">=":
      return bytes >= want;
    case "<=":
      return bytes <= want;
    case ">":
      return bytes > want;
    case "<":
      return bytes < want;
    default:
      return bytes === want;
  }
}

test.describe("04 Talos node netboots", () => {
  test.describe.configure({ timeout: BOOT_TIMEOUT_MS + 60_000 });

  test("the nodes' configs reach the bastion as SecureString parameters", async ({ aws, model }) => {
    for (const role of NODE_ROLES) {
      const path = `${model.nodes.configParameterPath}/configs/${role}`;
      const r = await aws.ssm.send(new GetParametersByPathCommand({ Path: path }));
      const params = (r.Parameters ?? []).map((p) => ({ name: p.Name, type: p.Type, version: p.Version }));
      await evidence(`parameters under ${path}`, params);
      expect(params.length, `the ${role} config is published under ${path}`).toBeGreaterThan(0);
      expect(new Set(params.map((p) => p.type)), "every part is a SecureString").toEqual(
        new Set(["SecureString"]),
      );
    }
  });

  test("the cluster's keys are in neither Git nor the bastion's user data", async ({ netboot, lab }) => {
    const config = machineConfigDoc(readFileSync(lab.talosConfigPath("controlplane"), "utf8")) as unknown as {
      machine: { ca: { key: string }; token: string };
    };
    // Slices from the random part of each secret (a PEM's first bytes are the same for every key).
    const key = config.machine.ca.key;
    expect(key.length, "the lab's control-plane config has a CA key").toBeGreaterThan(160);
    const needles = { "the CA key": key.slice(100, 160), "the machine token": config.machine.token };
    const bundle = join(lab.instanceRoot(netboot.bastion()), BUNDLE_DIR_ON_BASTION);
    await evidence("where the secrets were looked for", { git: REPO_ROOT, userData: bundle });
    expect(existsSync(join(bundle, "start")), `the user data's bundle is at ${bundle}`).toBe(true);
    for (const [what, needle] of Object.entries(needles)) {
      // Exit 1 is "searched, not found"; anything else is a search that did not happen.
      const git = run(["git", "grep", "-F", "-l", needle], { cwd: REPO_ROOT, allowFailure: true });
      expect(git.code, `git grep for ${what} found nothing (${git.stdout.trim()}${git.stderr.trim()})`).toBe(
        1,
      );
      // Everything the user data carried was written under the bundle's folder on the bastion.
      const fromUserData = run(["grep", "-r", "-F", "-l", needle, bundle], { allowFailure: true });
      expect(
        fromUserData.code,
        `nothing the user data wrote holds ${what} (${fromUserData.stdout.trim()})`,
      ).toBe(1);
    }
  });

  for (const arch of NODE_ARCHES) {
    test(`an ${arch} node netboots through the bastion and reports ready`, async ({
      talos,
      netboot,
      lab,
      model,
    }) => {
      const node = derived(model).nodes.find((n) => n.arch === arch);
      test.skip(!node, `the model lists no ${arch} machine`);
      test.skip(
        talos.payload === "talos",
        "the lab boots real Talos (MOON_LAB_TALOS_ASSETS): its readiness is talosctl's to check, which the kit does not build yet",
      );
      if (!node) return;
      const marks = Object.fromEntries(
        ["dnsmasq", "matchbox", ...model.services.caches.map((c) => `registry-${c.upstream}`)].map((s) => [
          s,
          netboot.log(s).length,
        ]),
      );

      const powered = talos.powerOn(node.arch, node.role);
      const booted =
        await test.step(`${node.name} (${arch} ${node.role}) powers on and reports`, async () => {
          try {
            return await talos.waitForReport(powered, BOOT_TIMEOUT_MS);
          } finally {
            await evidence(`${node.name} console`, talos.console(powered));
          }
        });
      const { report } = booted;
      await evidence(`${node.name} report (payload: ${report.payload})`, {
        ...report,
        poweredOnToReportS: booted.seconds,
      });
      test
        .info()
        .annotations.push(
          { type: "payload", description: `${report.payload} (${talos.payload} in the lab state)` },
          { type: "power-on to report", description: `${booted.seconds.toFixed(1)} s (${arch})` },
        );
      expect(report.ok, `${node.name} walked the whole path; its reason: ${report.reason}`).toBe(true);

      await test.step("it got a DHCP lease for its MAC at its fixed address", async () => {
        const dhcp = since(netboot, "dnsmasq", marks.dnsmasq ?? 0);
        const acks = dhcp.split("\n").filter((l) => l.includes("DHCPACK") && l.includes(node.mac));
        await evidence("dnsmasq: DHCPACK lines for the node", acks.join("\n"));
        expect(acks.length, `dnsmasq logged DHCPACK for ${node.mac}`).toBeGreaterThan(0);
        expect(
          acks.every((l) => l.includes(` ${node.ip} `)),
          `every ACK gave ${node.ip}`,
        ).toBe(true);
        expect(report.ip, "the address the node configured").toBe(node.ip);
        expect(report.mac, "the MAC the node booted with").toBe(node.mac);
      });

      await test.step("matchbox matched its MAC, then served its kernel and initrd", async () => {
        const lines = since(netboot, "matchbox", marks.matchbox ?? 0).split("\n");
        const loader = arch === "amd64" ? "Matched an iPXE config" : "Matched a GRUB config";
        const matched = lines.findIndex(
          (l) =>
            l.includes(loader) &&
            l.includes(`mac:${node.mac}`) &&
            l.includes(`profile=talos-${arch}-${node.role}`),
        );
        const after = lines.slice(Math.max(matched, 0));
        const kernel = after.findIndex((l) => l.includes(`GET ${talosAssetPath(model, arch, "vmlinuz")}`));
        const initrd = after.findIndex((l) => l.includes(`GET ${talosAssetPath(model, arch, "initramfs")}`));
        await evidence("matchbox: the node's requests", after.slice(0, 12).join("\n"));
        expect(
          matched,
          `matchbox: "${loader}" for ${node.mac} with its arch and role's profile`,
        ).toBeGreaterThanOrEqual(0);
        expect(kernel, `then GET ${talosAssetPath(model, arch, "vmlinuz")}`).toBeGreaterThan(0);
        expect(initrd, `then GET ${talosAssetPath(model, arch, "initramfs")}`).toBeGreaterThan(kernel);
        expect(report.kernel, "the kernel running is the payload's").toContain(arch);
      });

      await test.step("it fetched the machine config of its role, the one Talos validated", async () => {
        const lines = since(netboot, "matchbox", marks.matchbox ?? 0);
        expect(lines, `matchbox matched its generic config to group ${node.name}`).toContain(
          `Matched a generic template" group=${node.name}`,
        );
        const file = lab.talosConfigPath(node.role);
        const [validation] = validateTalosConfigs(model, [file]);
        await evidence("Talos's validation of the served config", validation ?? "no result");
        expect(validation?.ok, `Talos's library accepts ${file}: ${validation?.error ?? ""}`).toBe(true);
        expect(validation?.kind, "the config is for the node's role").toBe(node.role);
        const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
        expect(report.configSha256, "the node got exactly that config").toBe(sha);
        expect(report.role, "and read its role from it").toBe(node.role);
        expect(report.configUrl, "from matchbox, by its MAC").toBe(
          `${derived(model).matchboxUrl}/generic?mac=${node.mac}`,
        );
      });

      await test.step("it pulled an image through the bastion's cache (the cache logged its address)", async () => {
        const cache = model.services.caches.find((c) => report.image.startsWith(`${c.upstream}/`));
        expect(cache, `a cache serves ${report.image}`).toBeDefined();
        if (!cache) return;
        expect(report.mirror, "the mirror its config names").toBe(
          `http://${model.bastion.privateIp}:${cache.port}`,
        );
        const log = since(netboot, `registry-${cache.upstream}`, marks[`registry-${cache.upstream}`] ?? 0);
        const fromNode = log
          .split("\n")
          .filter((l) => l.includes(`remoteaddr="${node.ip}:`) || l.startsWith(`${node.ip} `));
        await evidence(`registry-${cache.upstream}: requests from ${node.ip}`, fromNode.join("\n"));
        expect(
          fromNode.some((l) => l.includes(report.layerDigest)),
          `the cache served layer ${report.layerDigest} to ${node.ip}`,
        ).toBe(true);
        // Its payload is incompressible, so the gzipped layer is at least that large.
        expect(
          report.layerBytes,
          "the layer arrived whole (and matched its digest on the node)",
        ).toBeGreaterThanOrEqual(model.lab.upstreams.testImage.layerBytes);
      });
    });
  }

  test("an EC2 session's nodes boot from the AMI's root device, with the disks the launch template maps and Talos's install disk among them", async ({
    aws,
    model,
    session,
  }) => {
    // Level: lab, at the API: the emulator's EC2 holds the upstream AMIs as published (their
    // root device names and sizes) and launches the nodes layer's instances from them. These
    // instances are not booted; the QEMU nodes above boot by DHCP and PXE.
    const r = await aws.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:Name", Values: [...session.nodeNames] },
          { Name: "instance-state-name", Values: ["pending", "running"] },
        ],
      }),
    );
    const instances = (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
    const nameOf = (i: (typeof instances)[number]) => i.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
    expect(instances.map(nameOf).sort(), "one instance per node of the model").toEqual(
      [...session.nodeNames].sort(),
    );
    const patch = parse(readFileSync(join(REPO_ROOT, "infra/aws/talos/patch-common.yaml"), "utf8")) as {
      machine?: { install?: { disk?: string; diskSelector?: { size?: string } } };
    };
    const install = patch.machine?.install ?? {};
    await evidence("the aws target's install section", install);
    for (const i of instances)
      await test.step(`${nameOf(i)}: root device, disks, install disk`, async () => {
        const image = (await aws.ec2.send(new DescribeImagesCommand({ ImageIds: [i.ImageId ?? ""] })))
          .Images?.[0];
        const volumes =
          (
            await aws.ec2.send(
              new DescribeVolumesCommand({
                Filters: [{ Name: "attachment.instance-id", Values: [i.InstanceId ?? ""] }],
              }),
            )
          ).Volumes ?? [];
        await evidence(`${nameOf(i)}: its AMI and volumes`, {
          image: { name: image?.Name, owner: image?.OwnerId, root: image?.RootDeviceName },
          volumes: volumes.map((v) => ({
            device: v.Attachments?.[0]?.Device,
            gib: v.Size,
            encrypted: v.Encrypted,
          })),
        });
        expect(i.RootDeviceName, "the instance's root device is its AMI's").toBe(image?.RootDeviceName);
        const root = volumes.find((v) => v.Attachments?.[0]?.Device === image?.RootDeviceName);
        expect(
          volumes.length,
          "two volumes, system and data: a template mapping that misses the AMI's root device adds a third and leaves the AMI's own root",
        ).toBe(2);
        expect(root?.Size, `the root volume is the system disk, nodes.aws.systemVolumeGb`).toBe(
          model.nodes.aws.systemVolumeGb,
        );
        expect(
          volumes.map((v) => v.Encrypted),
          "both encrypted",
        ).toEqual([true, true]);
        expect(
          install.disk,
          "no device path: Nitro's NVMe numbering is not stable across boots",
        ).toBeUndefined();
        const picked = volumes.filter((v) =>
          talosSizeMatches(install.diskSelector?.size ?? "", (v.Size ?? 0) * 2 ** 30),
        );
        expect(
          picked.map((v) => v.VolumeId),
          `Talos's diskSelector size "${install.diskSelector?.size ?? ""}" picks the root volume and only it`,
        ).toEqual([root?.VolumeId]);
      });
  });

  test("an EC2 session's nodes keep the bastion's hours: their schedules stop and start them as their own role", async ({
    aws,
    model,
    session,
    target,
  }) => {
    test.skip(
      !target.hasLabDataPlane,
      "the lab moves its own clock; on AWS the schedules fire at their real times",
    );
    // Level: lab. The lab's scheduler fires the nodes' EventBridge Scheduler schedules when the
    // lab clock passes their cron times (lab/schedules.ts), and calls EC2 as the schedule's
    // role; the emulator allows the call only if that role trusts scheduler.amazonaws.com and
    // its policy names these instances (lab/moto_lab.py).
    test.setTimeout(300_000);
    const lab = new LabClient(model);
    const schedule = (which: "start" | "stop") =>
      aws.scheduler.send(new GetScheduleCommand({ Name: `${model.project}-nodes-${which}` }));
    const [start, stop] = await Promise.all([schedule("start"), schedule("stop")]);
    await evidence("the nodes' schedules", { start, stop });
    const instances = async () => {
      const r = await aws.ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "tag:Name", Values: [...session.nodeNames] }] }),
      );
      return (r.Reservations ?? [])
        .flatMap((x) => x.Instances ?? [])
        .filter((i) => i.State?.Name !== "terminated");
    };
    const states = async () => (await instances()).map((i) => i.State?.Name ?? "?");
    const ids = (await instances()).map((i) => i.InstanceId ?? "");
    /** Moves the lab clock to the schedule's next time and waits for the lab to carry it out. */
    const fire = async (s: typeof start, after: Date): Promise<Date> => {
      const name = s.Name ?? "";
      const { at, firing } = await lab.fireNext(
        {
          source: "scheduler",
          name,
          expression: s.ScheduleExpression ?? "",
          timeZone: s.ScheduleExpressionTimezone ?? "UTC",
        },
        after,
      );
      expect(firing?.outcome, `${name} fires at ${at.toISOString()}: ${firing?.detail ?? ""}`).toBe("done");
      return at;
    };
    const stoppedAt = await test.step(`stop (${stop.ScheduleExpression ?? ""}): the nodes stop`, async () => {
      const at = await fire(stop, lab.clock());
      await expect
        .poll(states, { timeout: 30_000, message: "every node instance stopped" })
        .toEqual(session.nodeNames.map(() => "stopped"));
      return at;
    });
    await test.step(`start (${start.ScheduleExpression ?? ""}): the nodes run again, the bastion with them`, async () => {
      await fire(start, stoppedAt);
      await expect
        .poll(states, { timeout: 30_000, message: "every node instance running" })
        .toEqual(session.nodeNames.map(() => "running"));
      // The bastion keeps the same hours: whatever its group's actions did in between, it is
      // back before the next test netboots from it.
      await lab.waitForBastion(180_000);
    });
    await test.step("each call was the nodes' scheduler role's, allowed on these instances", async () => {
      const iam = await lab.iamDecisions();
      const role = `${model.project}-nodes-scheduler`;
      const mine = iam.allowed.filter((d) => d.role === role);
      await evidence("the emulator's IAM decisions for the nodes' scheduler role", mine);
      expect(
        iam.denied.filter((d) => d.role === role),
        "nothing the nodes' scheduler role asked for was refused",
      ).toEqual([]);
      for (const action of ["ec2:StopInstances", "ec2:StartInstances"])
        for (const id of ids)
          expect(
            mine.some((d) => d.action === action && d.resource.endsWith(`:instance/${id}`)),
            `${role} was allowed ${action} on ${id}`,
          ).toBe(true);
    });
    await evidence("the lab's firings", lab.scheduleFirings());
  });

  test("a node powered off leaves no QEMU process, tap device or disk behind", async ({ talos, model }) => {
    const node = derived(model).nodes[0];
    if (!node) throw new Error("the model lists no machine");
    const powered = talos.powerOn(node.arch, node.role);
    await test.step("it runs: a QEMU process on its tap device", async () => {
      await expect
        .poll(() => talos.qemuPids(powered).length, {
          message: `QEMU for ${node.name} on ${powered.tap}`,
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
    });
    const left = talos.remove(powered);
    await evidence("left after lab node rm", left);
    expect(left, "nothing of the node remains").toEqual([]);
  });
});
