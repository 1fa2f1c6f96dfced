// Spec 03 — netboot services (SPEC §4 row 03). Generator 03 makes it pass.
// Every probe starts inside the lab: the private test host is a client of the bastion in
// the VPC, as a node would be; the upstream registries' own log says what reached them.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evidence, expect, test } from "../fixtures/index.ts";
import type { NetbootClient } from "../fixtures/netboot.ts";
import { serviceOrder, talosAssetDir, talosAssetPath } from "../generators/03-netboot.ts";
import { cidrContainsIp, parseIpv4, parseIpv4Cidr } from "../model/net.ts";
import { derived, type Model } from "../model/index.ts";

/** A repository no cache has seen: the upstreams serve a distinct image under any such name. */
const freshRepository = (model: Model, label: string) =>
  `${model.lab.upstreams.testImage.repository}-${label}-${Date.now().toString(36)}`;

/** The upstream requests for one repository, after a point in the log. */
function upstreamHits(netboot: NetbootClient, from: number, upstream: string, repository: string) {
  return netboot
    .upstreamRequests()
    .slice(from)
    .filter((r) => r.upstream === upstream && r.path.startsWith(`/v2/${repository}/`));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.describe("03 netboot services", () => {
  test("every service is running on the bastion", async ({ netboot, model }) => {
    const want = serviceOrder(model);
    await test.step("the supervisor says every service is ready", () => {
      expect(netboot.ready(), "the bastion's start script saw every service answer").toBe(true);
    });
    const services = netboot.services();
    await evidence("services (name, program, pid, restarts)", services);
    expect(
      services.map((s) => s.name),
      "the same services, in the same order, as the compose rendering's containers",
    ).toEqual(want);
    for (const s of services)
      await test.step(`${s.name} runs in the bastion's namespace`, () => {
        expect(s.pid, `${s.name} has a process`).not.toBeNull();
        expect(
          netboot.runsInBastion(s.pid ?? -1),
          `${s.name}'s pid ${String(s.pid)} is alive in the bastion`,
        ).toBe(true);
      });
  });

  test("dnsmasq offers a lease from its range in the private subnet", async ({ netboot, model }) => {
    const mac = netboot.probeMac;
    const r = netboot.dhcpDiscover();
    await evidence("DHCP offer", r);
    expect(r.ok, `a DHCP offer for ${mac}: ${r.error ?? ""}`).toBe(true);
    const offer = r.offer;
    const address = parseIpv4(offer?.address ?? "") ?? -1;
    const { start: rangeStart, end: rangeEnd } = derived(model).dhcpRange;
    await test.step("the address is inside the range and the private subnet", () => {
      expect(address, `${offer?.address ?? ""} is at or after ${rangeStart}`).toBeGreaterThanOrEqual(
        parseIpv4(rangeStart) ?? 0,
      );
      expect(address, `${offer?.address ?? ""} is at or before ${rangeEnd}`).toBeLessThanOrEqual(
        parseIpv4(rangeEnd) ?? 0,
      );
      const subnet = parseIpv4Cidr(model.network.private.cidr);
      expect(subnet && cidrContainsIp(subnet, address), `inside ${model.network.private.cidr}`).toBe(true);
    });
    await test.step("the bastion offers it, with the subnet's router, the DNS filter and a loader", () => {
      expect(offer?.server, "the DHCP server is the bastion's fixed address").toBe(model.bastion.privateIp);
      expect(offer?.router, "the router is the subnet's").toBe(derived(model).privateRouter);
      expect(offer?.dns, "DNS is the bastion's filter").toBe(model.bastion.privateIp);
      expect(offer?.bootFile, "a client that is not iPXE yet gets the iPXE loader").toBe("undionly.kpxe");
    });
    await test.step("dnsmasq's log shows the offer", async () => {
      const line = await waitFor("DHCPOFFER in dnsmasq's log", 5000, () =>
        netboot
          .log("dnsmasq")
          .split("\n")
          .find((l) => l.includes("DHCPOFFER") && l.includes(mac)),
      );
      await evidence("dnsmasq log line", line);
    });
  });

  test("dnsmasq serves the iPXE loader it offers over TFTP", async ({ netboot, model, lab }) => {
    // The loader a non-iPXE client is offered (checked above) must be there to fetch.
    const r = netboot.tftp(model.bastion.privateIp, "undionly.kpxe");
    await evidence("TFTP read of undionly.kpxe", r);
    expect(r.ok, `a TFTP read of undionly.kpxe: ${r.error ?? ""}`).toBe(true);
    const source = readFileSync(join(lab.ipxeLoaders, "undionly.kpxe"));
    expect(r.size, "the whole loader arrived").toBe(source.length);
    expect(r.sha256, "byte for byte the lab image's iPXE loader").toBe(
      createHash("sha256").update(source).digest("hex"),
    );
  });

  test("matchbox serves the Talos kernels and selects a node's profile by MAC", async ({
    netboot,
    model,
  }) => {
    const d = derived(model);
    const payload = netboot.http(`${d.matchboxUrl}${talosAssetDir(model)}/PAYLOAD.json`);
    await evidence(
      "what the assets are (the offline lab's stand-in says so)",
      payload.body ?? payload.error ?? "",
    );
    for (const arch of ["amd64", "arm64"] as const)
      await test.step(`the ${arch} kernel is a Linux kernel for ${arch}`, async () => {
        // The boot protocols' signatures: "HdrS" at 0x202 (x86 bzImage), "ARMd" at 0x38 (arm64 Image).
        const [offset, want] = arch === "amd64" ? [0x202, "HdrS"] : [0x38, "ARMd"];
        const r = netboot.blob(`${d.matchboxUrl}${talosAssetPath(model, arch, "vmlinuz")}`, offset, 4);
        await evidence(`${arch} kernel`, {
          status: r.status,
          size: r.size,
          signature: r.slice,
          error: r.error,
        });
        expect(r.status, `GET ${talosAssetPath(model, arch, "vmlinuz")}`).toBe(200);
        expect(r.slice, `the ${arch} kernel carries its boot signature`).toBe(want);
      });
    for (const node of d.nodes)
      await test.step(`${node.name} (${node.mac}) gets the ${node.arch} ${node.role} profile`, async () => {
        const r = netboot.http(`${d.matchboxUrl}/ipxe?mac=${node.mac}`);
        await evidence(`iPXE script for ${node.name}`, r.body ?? r.error ?? "");
        expect(r.status, "matchbox answers the node's iPXE request").toBe(200);
        expect(r.body, "the script boots the node's architecture's kernel").toContain(
          `kernel ${talosAssetPath(model, node.arch, "vmlinuz")}`,
        );
        expect(r.body, "Talos boots as bare metal and fetches its config from matchbox").toContain(
          "talos.platform=metal",
        );
      });
  });

  test("each cache answers the registry API and pulls through from its upstream once", async ({
    netboot,
    model,
  }) => {
    const d = derived(model);
    const image = model.lab.upstreams.testImage;
    for (const cache of model.services.caches)
      await test.step(`${cache.upstream} on ${cache.port}`, async () => {
        const url = `http://${model.bastion.privateIp}:${cache.port}`;
        const api = netboot.http(`${url}/v2/`);
        expect(api.status, `${url}/v2/ answers the registry API`).toBe(200);
        const repository = freshRepository(model, cache.upstream.replace(/\W/g, ""));
        const mark = netboot.upstreamRequests().length;
        const first = netboot.pull(url, repository, image.tag, "arm64");
        await evidence(`${cache.upstream}: first pull`, first);
        expect(first.ok, `the first pull through ${cache.upstream}'s cache: ${first.error ?? ""}`).toBe(true);
        const reached = upstreamHits(netboot, mark, cache.upstream, repository);
        expect(
          reached.filter((r) => r.method === "GET" && r.path.includes("/blobs/")).length,
          `the first pull fetched the blobs from ${d.labUpstreamRegistries.find((u) => u.upstream === cache.upstream)?.host ?? ""}`,
        ).toBeGreaterThanOrEqual(2);
        const mark2 = netboot.upstreamRequests().length;
        const second = netboot.pull(url, repository, image.tag, "arm64");
        await evidence(`${cache.upstream}: second pull`, second);
        expect(second.ok, "the second pull").toBe(true);
        expect(second.manifest, "the second pull got the same image").toBe(first.manifest);
        const again = upstreamHits(netboot, mark2, cache.upstream, repository);
        await evidence(`${cache.upstream}: upstream requests during the second pull`, again);
        // A tag is a pointer that can move: the cache asks the upstream what it points at (a
        // HEAD, after pinging /v2/), but no manifest or blob crosses the link again.
        expect(
          again.filter((r) => r.method === "GET"),
          "the second pull is served from the cache: no manifest or blob GET reached the upstream",
        ).toEqual([]);
        expect(
          again.every((r) => r.method === "HEAD" && r.path.endsWith(`/manifests/${image.tag}`)),
          "what did reach it is the tag's HEAD",
        ).toBe(true);
        const byDigest = netboot.pull(url, repository, first.manifest ?? "", "arm64");
        expect(byDigest.ok, "a pull by digest").toBe(true);
        expect(
          upstreamHits(netboot, mark2, cache.upstream, repository).length,
          "a pull by digest does not touch the upstream at all",
        ).toBe(again.length);
      });
  });

  test("the DNS filter resolves names and blocks a listed one", async ({ netboot, model }) => {
    const d = derived(model);
    const filter = model.bastion.privateIp;
    const f = model.services.dnsFilter;
    await test.step("an internet name resolves through the upstream", async () => {
      const target = d.labUpstreamRegistries[0];
      const r = netboot.dns(filter, target?.host ?? "", "A");
      await evidence(`${target?.host ?? ""} via the filter`, r);
      expect(
        r.answers?.map((a) => a.data),
        `${target?.host ?? ""} resolves`,
      ).toContain(target?.address);
    });
    await test.step("the local zone answers with the bastion", () => {
      for (const name of f.bastionNames) {
        const r = netboot.dns(filter, `${name}.${f.localDomain}`, "A");
        expect(
          r.answers?.map((a) => a.data),
          `${name}.${f.localDomain} is the bastion`,
        ).toEqual([filter]);
      }
    });
    for (const blocked of f.blocklist)
      await test.step(`${blocked} is blocked`, async () => {
        const upstream = netboot.dns(d.labUpstreamDns, blocked, "A", d.namespaces.internet);
        const r = netboot.dns(filter, blocked, "A");
        await evidence(`${blocked}: upstream and filter`, { upstream, filter: r });
        expect(
          upstream.answers?.map((a) => a.data),
          "the internet knows the name (so the block is the filter's doing)",
        ).toEqual([d.internetWeb]);
        expect(
          r.answers?.map((a) => a.data),
          "the filter answers 0.0.0.0",
        ).toEqual(["0.0.0.0"]);
      });
  });

  test("a killed service is restarted within seconds and a cache keeps its content", async ({
    netboot,
    model,
  }) => {
    const cache = model.services.caches[model.services.caches.length - 1];
    if (!cache) throw new Error("the model has no cache");
    const url = `http://${model.bastion.privateIp}:${cache.port}`;
    const repository = freshRepository(model, "restart");
    const warm = netboot.pull(url, repository, model.lab.upstreams.testImage.tag, "amd64");
    expect(warm.ok, `warm ${cache.upstream}'s cache first: ${warm.error ?? ""}`).toBe(true);
    const timings: Record<string, number> = {};
    for (const name of serviceOrder(model))
      await test.step(`kill ${name}`, async () => {
        const before = netboot.services().find((s) => s.name === name);
        expect(before?.pid, `${name} runs`).toBeTruthy();
        const killedAt = Date.now();
        process.kill(before?.pid ?? -1, "SIGKILL");
        const after = await waitFor(`${name} restarted`, 10_000, () => {
          const s = netboot.services().find((x) => x.name === name);
          return s?.pid && s.pid !== before?.pid && s.restarts > (before?.restarts ?? 0) ? s : undefined;
        });
        timings[name] = Date.now() - killedAt;
        expect(netboot.runsInBastion(after.pid ?? -1), `${name}'s new process runs in the bastion`).toBe(
          true,
        );
      });
    await evidence("kill to new process (ms)", timings);
    for (const [name, ms] of Object.entries(timings))
      expect(ms, `${name} is back within 5 s`).toBeLessThan(5000);
    await test.step(`${cache.upstream}'s cache still has the image after its restart`, async () => {
      const mark = netboot.upstreamRequests().length;
      const r = await waitFor("the cache answers again", 10_000, () => {
        const p = netboot.pull(url, repository, warm.manifest ?? "", "amd64");
        return p.ok ? p : undefined;
      });
      expect(r.manifest, "the same image").toBe(warm.manifest);
      expect(
        upstreamHits(netboot, mark, cache.upstream, repository),
        "served from the cache's storage, without the upstream",
      ).toEqual([]);
    });
  });
});
