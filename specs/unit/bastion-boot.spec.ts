// Unit specs of the bastion's boot script (generator 02's user data), run by bash against
// stand-ins for curl, aws and ip that record their calls: it attaches the fixed interface
// (detaching it by force from a dead predecessor), configures it with its own routing,
// and runs the netboot services' hook. The lab runs the same file for real.
import { expect, test } from "@playwright/test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bastionBootScript } from "../../generators/02-bastion.ts";
import { run } from "../../lab/exec.ts";

interface Scenario {
  /** The instance the interface is attached to now ("None" when detached). */
  readonly owner: string;
  readonly eniFound?: boolean;
  readonly netbootInstalled?: boolean;
  /** How many times attach-network-interface fails before it works. */
  readonly attachFailures?: number;
}

const SELF = "i-0new";
const MAC = "02:00:00:aa:bb:cc";

function stubs(dir: string, s: Scenario): void {
  const stub = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/bash\necho "${name} $*" >> "${dir}/calls"\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  stub(
    "curl",
    `case "$*" in
  *api/token*) echo token ;;
  *meta-data*) [[ "$*" == *"X-aws-ec2-metadata-token: token"* ]] || exit 22 ;;&
  *instance-id*) echo ${SELF} ;;
  *placement/region*) echo eu-west-1 ;;
  *) exit 22 ;;
esac`,
  );
  const attachment = s.owner === "None" ? "None" : "eni-attach-1";
  stub(
    "aws",
    `case "$2" in
  describe-instances) printf 'subnet-1\\ttf-asg\\n' ;;
  describe-network-interfaces) ${
    s.eniFound === false
      ? "printf 'None\\tNone\\tNone\\tNone\\tNone\\tNone\\n'"
      : `printf 'eni-1\\t${attachment}\\t${s.owner}\\t${MAC}\\t10.20.13.140\\t2001:db8:0:d::8c\\n'`
  } ;;
  describe-subnets) printf '10.20.13.0/24\\t2001:db8:0:d::/64\\n' ;;
  attach-network-interface)
    n=$(grep -c " attach-network-interface " "${dir}/calls")
    [ "$n" -gt ${s.attachFailures ?? 0} ] || { echo "IncorrectState" >&2; exit 255; } ;;
esac`,
  );
  stub(
    "ip",
    `case "$*" in
  "-o link") echo "3: eth1@if9: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state UP link/ether ${MAC} brd ff:ff:ff:ff:ff:ff" ;;
  "-6 route show default") echo "default via fe80::1 dev eth0 metric 1024" ;;
esac`,
  );
  stub("sleep", "");
  if (s.netbootInstalled) stub("netboot-start", "");
}

function boot(s: Scenario): { code: number; calls: string[]; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "moon-boot-"));
  try {
    stubs(dir, s);
    const script = join(dir, "user-data");
    writeFileSync(script, bastionBootScript());
    const r = run(["/bin/bash", script], {
      allowFailure: true,
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        MOON_CONTAINER_RUNTIME: "native",
        MOON_NETBOOT_START: join(dir, "netboot-start"),
        MOON_DEVICE_WAIT_SECONDS: "3",
      },
    });
    let calls: string[] = [];
    try {
      calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    } catch {
      // No call was made.
    }
    return { code: r.code, calls, log: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a replacement detaches the interface from its dead predecessor, then attaches it", () => {
  const r = boot({ owner: "i-0dead", netbootInstalled: true });
  expect(r.code, r.log).toBe(0);
  const aws = r.calls.filter((c) => c.startsWith("aws "));
  const detach = aws.findIndex((c) =>
    c.includes("detach-network-interface --attachment-id eni-attach-1 --force"),
  );
  const attach = aws.findIndex((c) =>
    c.includes(
      `attach-network-interface --network-interface-id eni-1 --instance-id ${SELF} --device-index 1`,
    ),
  );
  expect(detach, `a forced detach:\n${aws.join("\n")}`).toBeGreaterThanOrEqual(0);
  expect(attach, "then the attach, as device 1").toBeGreaterThan(detach);
  expect(r.calls, "IMDSv2: a token first").toContain(
    "curl -sSf -X PUT -H X-aws-ec2-metadata-token-ttl-seconds: 300 http://169.254.169.254/latest/api/token",
  );
});

test("the interface is configured with its own routing for replies", () => {
  const r = boot({ owner: "None" });
  expect(r.code, r.log).toBe(0);
  for (const call of [
    "ip addr replace 10.20.13.140/24 dev eth1",
    "ip route replace default via 10.20.13.1 dev eth1 table 1001",
    "ip rule add from 10.20.13.140 lookup 1001 priority 1001",
    "ip -6 addr replace 2001:db8:0:d::8c/64 dev eth1 nodad",
    "ip -6 route replace default via fe80::1 dev eth1 table 1001",
  ])
    expect(r.calls, call).toContain(call);
  expect(
    r.calls.some((c) => c.includes("detach-network-interface")),
    "nothing to detach from a free interface",
  ).toBe(false);
});

test("an instance that already holds the interface leaves it as it is", () => {
  const r = boot({ owner: SELF });
  expect(r.code, r.log).toBe(0);
  expect(r.calls.some((c) => / (attach|detach)-network-interface /.test(c))).toBe(false);
});

test("the netboot services' hook runs when installed, and is reported when not", () => {
  const installed = boot({ owner: SELF, netbootInstalled: true });
  expect(installed.calls.some((c) => c.startsWith("netboot-start"))).toBe(true);
  const absent = boot({ owner: SELF });
  expect(absent.code).toBe(0);
  expect(absent.log).toContain("no netboot services at");
});

test("no tagged interface is a clear failure, and the instance asks to be replaced", () => {
  const r = boot({ owner: "None", eniFound: false });
  expect(r.code).toBe(1);
  expect(r.log).toContain("no interface tagged moon-and-back:bastion-of=tf-asg in subnet-1");
  expect(r.calls).toContain(
    `aws autoscaling set-instance-health --instance-id ${SELF} --health-status Unhealthy`,
  );
});

test("a transient attach failure is retried", () => {
  const r = boot({ owner: "None", attachFailures: 2 });
  expect(r.code, r.log).toBe(0);
  expect(r.calls.filter((c) => c.includes(" attach-network-interface ")).length, "three tries").toBe(3);
});

test("every metadata read carries the IMDSv2 token", () => {
  const r = boot({ owner: SELF });
  const reads = r.calls.filter((c) => c.startsWith("curl") && c.includes("meta-data"));
  expect(reads.length).toBeGreaterThanOrEqual(2);
  for (const c of reads)
    expect(c, "a token header on every read").toContain("X-aws-ec2-metadata-token: token");
});
