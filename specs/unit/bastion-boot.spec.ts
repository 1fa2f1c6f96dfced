// Unit specs of the bastion's boot script (generator 02's user data), run by bash against
// stand-ins for curl, aws and ip that record their calls: it attaches the fixed interface
// (detaching it by force from a dead predecessor), configures it with its own routing,
// and runs the netboot services' hook. The lab runs the same file for real.
import { expect, test } from "@playwright/test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bastionBootScript, generator02 } from "../../generators/02-bastion.ts";
import { DEFAULT_MODEL } from "../../model/index.ts";
import { run } from "../../common/exec.ts";

interface Scenario {
  /** The instance the interface is attached to now ("None" when detached). */
  readonly owner: string;
  readonly eniFound?: boolean;
  readonly netbootInstalled?: boolean;
  /** How many times attach-network-interface fails before it works. */
  readonly attachFailures?: number;
  /** The bastion as the private subnet's NAT: started in the public subnet, the interface's check off. */
  readonly nat?: boolean;
  /** The budget the hard cap reads: this month's actual spend and the limit, in USD. */
  readonly budget?: { readonly spend: string; readonly limit: string };
  /** Auto Scaling refuses to change the group's capacity. */
  readonly capacityRefused?: boolean;
  /** How many times the regional endpoint does not answer (no egress yet) before it does; -1: never. */
  readonly egressAfter?: number;
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
  *https://ec2.eu-west-1.amazonaws.com*)
    n=$(grep -c "^curl .*https://ec2.eu-west-1.amazonaws.com" "${dir}/calls")
    [ ${s.egressAfter ?? 0} -ge 0 ] && [ "$n" -gt ${s.egressAfter ?? 0} ] || exit 7 ;;
  *) exit 22 ;;
esac`,
  );
  const attachment = s.owner === "None" ? "None" : "eni-attach-1";
  stub(
    "aws",
    `case "$2" in
  describe-instances) printf '${s.nat ? "subnet-pub" : "subnet-1"}\\teu-west-1a\\ttf-asg\\t${s.budget ? "moon-and-back-baseline" : "None"}\\n' ;;
  describe-network-interfaces) ${
    s.eniFound === false
      ? "printf 'None\\tNone\\tNone\\tNone\\tNone\\tNone\\tNone\\tNone\\n'"
      : `printf 'eni-1\\t${attachment}\\t${s.owner}\\t${MAC}\\t10.20.13.140\\t2001:db8:0:d::8c\\tsubnet-1\\t${s.nat ? "False" : "True"}\\n'`
  } ;;
  get-caller-identity) echo 123456789012 ;;
  set-desired-capacity) ${s.capacityRefused ? "echo AccessDenied >&2; exit 255" : ":"} ;;
  describe-budget) printf '${s.budget?.spend ?? ""}\\t${s.budget?.limit ?? ""}\\n' ;;
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
  "-o -4 route show default") echo "default via 10.20.1.1 dev eth0 proto dhcp metric 100" ;;
esac`,
  );
  stub("sleep", "");
  stub("sysctl", "");
  stub("nft", "");
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
        MOON_BUDGET_GUARD_SECONDS: "0",
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
  expect(r.log).toContain("no interface tagged moon-and-back:bastion-of=tf-asg in eu-west-1a");
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

test("as the private subnet's NAT it forwards and masquerades that subnet, out by its first interface", () => {
  const r = boot({ owner: "None", nat: true });
  expect(r.code, r.log).toBe(0);
  for (const call of [
    "sysctl -q -w net.ipv4.ip_forward=1",
    "nft add rule ip bastion_nat postrouting ip saddr 10.20.13.0/24 oifname eth0 masquerade",
    // Started in the public subnet: the fixed address's subnet is reached by its own interface.
    "ip route replace 10.20.13.0/24 dev eth1 src 10.20.13.140",
  ])
    expect(r.calls, call).toContain(call);
});

test("with its interface's source/destination check on, it forwards nothing", () => {
  const r = boot({ owner: "None" });
  expect(r.code, r.log).toBe(0);
  expect(
    r.calls.some((c) => c.startsWith("sysctl") || c.startsWith("nft ")),
    r.calls.join("\n"),
  ).toBe(false);
  expect(r.calls, "started in the fixed address's own subnet: no extra route").not.toContain(
    "ip route replace 10.20.13.0/24 dev eth1 src 10.20.13.140",
  );
});

test("the hard cap: over budget at boot, the group scales to zero and nothing starts", () => {
  const r = boot({ owner: "None", netbootInstalled: true, budget: { spend: "0.1031", limit: "0.1" } });
  expect(r.code, "a clean exit: the group must not replace it as unhealthy").toBe(0);
  expect(r.calls).toContain(
    "aws autoscaling suspend-processes --auto-scaling-group-name tf-asg --scaling-processes ScheduledActions",
  );
  expect(r.calls).toContain(
    "aws autoscaling set-desired-capacity --auto-scaling-group-name tf-asg --desired-capacity 0",
  );
  expect(r.calls.some((c) => c.includes("attach-network-interface") || c.startsWith("netboot-start"))).toBe(
    false,
  );
  expect(r.log).toContain("has reached the budget of 0.1 USD");
});

test("the hard cap: under budget, the bastion starts and its group is left alone", () => {
  const r = boot({ owner: "None", netbootInstalled: true, budget: { spend: "0.0421", limit: "0.1" } });
  expect(r.code, r.log).toBe(0);
  expect(r.calls).toContain(
    "aws budgets describe-budget --account-id 123456789012 --budget-name moon-and-back-baseline --output text --query Budget.[CalculatedSpend.ActualSpend.Amount, BudgetLimit.Amount]",
  );
  expect(r.calls.some((c) => c.includes("suspend-processes") || c.includes("set-desired-capacity"))).toBe(
    false,
  );
  expect(r.calls.some((c) => c.startsWith("netboot-start"))).toBe(true);
});

test("the hard cap's rights: the one budget to read, its own group to stop, nothing wider", () => {
  const files = generator02.generate(DEFAULT_MODEL);
  const iam = files.find((f) => f.path.endsWith("/iam.tf"))?.content ?? "";
  const statement = (sid: string) => {
    const at = iam.indexOf(`sid       = "${sid}"`);
    expect(at, `a statement ${sid} in iam.tf`).toBeGreaterThan(0);
    return iam.slice(at, iam.indexOf("\n  }", at));
  };
  expect(statement("ReadTheBudget")).toContain('actions   = ["budgets:ViewBudget"]');
  expect(statement("ReadTheBudget")).toContain(
    'resources = ["arn:aws:budgets::*:budget/${var.budget_name}"]',
  );
  expect(statement("StopItsOwnGroup")).toContain(
    'actions   = ["autoscaling:SuspendProcesses", "autoscaling:SetDesiredCapacity", "autoscaling:ResumeProcesses"]',
  );
  expect(statement("StopItsOwnGroup")).toContain("autoScalingGroupName/${var.asg_name}");
  expect(iam.match(/autoscaling:SetDesiredCapacity/g)?.length, "granted once, on the group").toBe(1);
  const bastion = files.find((f) => f.path.endsWith("/bastion.tf"))?.content ?? "";
  expect(bastion, "the group tells its instance which budget to read").toContain(
    '"moon-and-back:budget" = var.budget_name',
  );
});

test("the hard cap: when the group cannot be scaled to zero, its schedule is resumed, and the log says so", () => {
  const r = boot({
    owner: "None",
    netbootInstalled: true,
    budget: { spend: "0.12", limit: "0.1" },
    capacityRefused: true,
  });
  expect(r.code, r.log).toBe(0);
  expect(r.calls.filter((c) => c.includes("set-desired-capacity")).length, "retried").toBe(5);
  const suspend = r.calls.findIndex((c) => c.includes("suspend-processes"));
  const scale = r.calls.findIndex((c) => c.includes("set-desired-capacity"));
  const resume = r.calls.findIndex((c) => c.includes("resume-processes"));
  expect(suspend, "suspended before the scale that may end this instance").toBeGreaterThanOrEqual(0);
  expect(suspend).toBeLessThan(scale);
  expect(resume, "resumed after the scale failed, so the schedule's stop still comes").toBeGreaterThan(scale);
  expect(r.calls[resume]).toBe(
    "aws autoscaling resume-processes --auto-scaling-group-name tf-asg --scaling-processes ScheduledActions",
  );
  expect(r.log).toContain("FAILED to scale tf-asg to zero");
});

// The emulator does not enforce IAM, so a call the role may not make passes in the lab and is
// AccessDenied on AWS. Each API the boot script calls must be granted by name in iam.tf.
// IAM action names: https://docs.aws.amazon.com/service-authorization/latest/reference/
// (DescribeBudget is authorised by budgets:ViewBudget; sts:GetCallerIdentity needs no permission:
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
test("every AWS call the boot script makes is granted to the bastion's role", () => {
  const files = generator02.generate(DEFAULT_MODEL);
  const iam = files.find((f) => f.path.endsWith("/iam.tf"))?.content ?? "";
  const script = bastionBootScript();
  const needsNoGrant = new Set(["sts:GetCallerIdentity"]);
  const action: Record<string, string> = {
    "budgets:DescribeBudget": "budgets:ViewBudget",
    // `aws ec2 wait network-interface-available` polls DescribeNetworkInterfaces.
    "ec2:Wait": "ec2:DescribeNetworkInterfaces",
  };
  const calls = [...script.matchAll(/\baws ([a-z0-9]+) ([a-z][a-z0-9-]+)/g)].map(
    ([, service = "", op = ""]) => {
      const name = `${service}:${op.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
      return action[name] ?? name;
    },
  );
  expect(calls.length, "the boot script calls AWS").toBeGreaterThan(5);
  const missing = [...new Set(calls)].filter((a) => !needsNoGrant.has(a) && !iam.includes(`"${a}"`));
  expect(missing, "actions the boot script calls that iam.tf does not grant").toEqual([]);
});

// The NAT instance and the bastion start on the same schedule: the bastion's first call may
// come before its egress does. It waits for the regional endpoint, bounded, and says so.
test("the first AWS call waits until the regional endpoint answers, and the log says how long", () => {
  const r = boot({ owner: "None", netbootInstalled: true, egressAfter: 3 });
  expect(r.code, r.log).toBe(0);
  const probes = r.calls.filter(
    (c) => c.startsWith("curl ") && c.includes("https://ec2.eu-west-1.amazonaws.com"),
  );
  expect(probes.length, "three probes unanswered, the fourth answered").toBe(4);
  const lastProbe = r.calls.lastIndexOf(probes.at(-1) ?? "");
  const firstAws = r.calls.findIndex((c) => c.startsWith("aws "));
  expect(firstAws, "no AWS call before the endpoint answered").toBeGreaterThan(lastProbe);
  expect(r.log).toContain(
    "waiting for a route to https://ec2.eu-west-1.amazonaws.com (the NAT may still be starting)",
  );
  expect(r.log).toContain("egress up: https://ec2.eu-west-1.amazonaws.com answered after about 15 s");
});

test("with no egress at all, the boot gives up after the bound, saying so, and makes no AWS call but the health report", () => {
  const r = boot({ owner: "None", netbootInstalled: true, egressAfter: -1 });
  expect(r.code).not.toBe(0);
  expect(r.log).toContain(
    "no answer from https://ec2.eu-west-1.amazonaws.com after 300 s: no egress, giving up",
  );
  expect(r.calls.filter((c) => c.startsWith("aws ")).map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual([
    "aws autoscaling set-instance-health",
  ]);
});
