// The cost model against a small plan whose bill was worked out by hand (eu-west-1 prices
// of cost/prices.ts): a t4g.nano NAT instance with an 8 GB disk and a public address, always
// on, and a t4g.small bastion group with a 20 GB disk on a 5-hour-a-day schedule.
import { expect, test } from "@playwright/test";
import { alternatives, estimate, sessionUsage, trialRuns, usageOf, type TofuShow } from "../../cost/model.ts";
import { FREE_TIER_PROFILES, INSTANCE_HOUR, PRICES, type Price } from "../../cost/prices.ts";
import { budgetVerdict, projectBill } from "../../cost/bill.ts";
import { sessionExposure } from "../../audit/exposure.ts";
import { DEFAULT_MODEL } from "../../model/index.ts";

const plan: TofuShow = {
  planned_values: {
    root_module: {
      child_modules: [
        {
          resources: [
            {
              address: "module.network.aws_instance.nat[0]",
              type: "aws_instance",
              values: {
                instance_type: "t4g.nano",
                associate_public_ip_address: true,
                root_block_device: [{ volume_size: 8 }],
              },
            },
            { address: "module.network.aws_vpc.this", type: "aws_vpc", values: {} },
          ],
        },
        {
          resources: [
            {
              address: "module.bastion.aws_launch_template.bastion",
              type: "aws_launch_template",
              values: {
                name: "tf-bastion",
                instance_type: "t4g.small",
                block_device_mappings: [{ ebs: [{ volume_size: 20 }] }],
              },
            },
            {
              address: "module.bastion.aws_autoscaling_group.bastion",
              type: "aws_autoscaling_group",
              values: { name: "tf-asg", desired_capacity: 1, launch_template: [{ name: "tf-bastion" }] },
            },
            {
              address: "module.bastion.aws_autoscaling_schedule.start",
              type: "aws_autoscaling_schedule",
              values: { autoscaling_group_name: "tf-asg" },
            },
          ],
        },
      ],
    },
  },
};
// 5 h a day × 730 h a month / 24 h.
const opts = { scheduledHoursPerMonth: (5 * 730) / 24, natGatewayGbPerMonth: 5, flowLogGbPerMonth: 0 };
const usage = usageOf(plan, opts);
// The day the prices were read: the t4g.small trial still runs.
const DAY = new Date("2026-11-27T12:00:00Z");

test("the prices the hand computation uses are the table's", () => {
  expect(INSTANCE_HOUR["t4g.nano"]?.usd).toBe(0.0046);
  expect(INSTANCE_HOUR["t4g.small"]?.usd).toBe(0.0184);
  expect(PRICES.gp3.usd).toBe(0.088);
  expect(PRICES.publicIpv4.usd).toBe(0.005);
  expect(PRICES.natGatewayHour.usd).toBe(0.048);
});

test("every price and free offer names its source and date", () => {
  const all: [string, Price][] = [...Object.entries(INSTANCE_HOUR), ...Object.entries(PRICES)];
  for (const [name, p] of all) {
    expect(p.source, `${name} has a source`).toMatch(/\S{8,}/);
    expect(p.sourceDate, `${name} has a dated source`).toMatch(/^20\d\d-\d\d/);
    if (p.region !== "eu-west-1" && p.region !== "all" && p.region !== "global")
      expect(p.note, `${name} says why a ${p.region} price stands in`).toBeTruthy();
  }
});

test("no free tier: every hour and GB is paid", () => {
  const e = estimate(usage, "none", DAY);
  // NAT 730 × 0.0046 = 3.358; its disk 8 × 0.088 = 0.704; its address 730 × 0.005 = 3.65;
  // bastion 152.083 × 0.0184 = 2.79833; its disk 20 GB for 152.083 of 730 h = 4.16667 GB-month × 0.088 = 0.36667.
  expect(e.lines.map((l) => [l.address, l.kind, +l.netUsd.toFixed(5)])).toEqual([
    ["module.network.aws_instance.nat[0]", "instance", 3.358],
    ["module.network.aws_instance.nat[0]", "ebs", 0.704],
    ["module.network.aws_instance.nat[0]", "publicIpv4", 3.65],
    ["module.bastion.aws_autoscaling_group.bastion", "instance", 2.79833],
    ["module.bastion.aws_autoscaling_group.bastion", "ebs", 0.36667],
  ]);
  expect(e.totalUsd).toBeCloseTo(10.877, 5);
});

test("trial + legacy: the bastion's hours, both disks and the address are free; the t4g.nano is not", () => {
  const e = estimate(usage, "trial+legacy", DAY);
  expect(e.totalUsd).toBeCloseTo(3.358, 6);
  expect(e.lines.find((l) => l.kind === "instance" && l.instanceType === "t4g.nano")?.netUsd).toBeCloseTo(
    3.358,
    6,
  );
});

test("each profile draws only on its own offers", () => {
  const totals = Object.fromEntries(FREE_TIER_PROFILES.map((p) => [p, estimate(usage, p, DAY).totalUsd]));
  expect(totals.none).toBeCloseTo(10.877, 5);
  // trial only: the bastion's 2.79833 free.
  expect(totals.trial).toBeCloseTo(10.877 - 2.79833, 4);
  // legacy only: both disks (0.704 + 0.36667) and the address (3.65) free.
  expect(totals.legacy).toBeCloseTo(10.877 - 0.704 - 0.36667 - 3.65, 4);
  expect(totals["trial+legacy"]).toBeCloseTo(3.358, 6);
});

test("the alternatives, priced with trial + legacy", () => {
  const alt = Object.fromEntries(
    alternatives(usage, opts).map((a) => [a.name, estimate(a.usage, "trial+legacy", DAY).totalUsd]),
  );
  expect(alt["as planned"]).toBeCloseTo(3.358, 6);
  // 730 × 0.048 + 5 GB × 0.048 + its EIP 730 × 0.005 (not EC2's, so not free) = 38.93.
  expect(alt["NAT gateway instead of a NAT instance"]).toBeCloseTo(38.93, 6);
  expect(alt["no NAT (IPv6 egress only; no IPv4 from the private subnet)"]).toBeCloseTo(0, 6);
  // Bastion and NAT as t4g.small, 152.08 h each: 304.2 of the trial's 750 h.
  expect(alt["NAT instance as t4g.small on the bastion's schedule"]).toBeCloseTo(0, 6);
  expect(alt["no public IPv4 anywhere"]).toBeCloseTo(3.358, 6);
  // 730 h of t4g.small is inside 750 h; 28 GB inside 30 GB.
  expect(alt["bastion always on"]).toBeCloseTo(3.358, 6);
  expect(alt["NAT instance as t4g.nano, always on"]).toBeCloseTo(3.358, 6);
});

test("a NAT instance tagged for the bastion's schedule counts its hours, and the trial covers it", () => {
  const scheduled: TofuShow = {
    values: {
      root_module: {
        resources: [
          {
            address: "module.network.aws_instance.nat[0]",
            type: "aws_instance",
            values: {
              instance_type: "t4g.small",
              associate_public_ip_address: true,
              root_block_device: [{ volume_size: 8 }],
              tags: { Name: "moon-and-back-nat", Schedule: "bastion" },
            },
          },
        ],
      },
    },
  };
  const u = usageOf(scheduled, opts);
  // 152.083 h of t4g.small and of its address; its 8 GB disk all month (kept while stopped).
  expect(u.map((x) => [x.kind, +x.quantity.toFixed(3)])).toEqual([
    ["instance", 152.083],
    ["ebs", 8],
    ["publicIpv4", 152.083],
  ]);
  expect(estimate(u, "none", DAY).totalUsd).toBeCloseTo(
    152.0833333 * 0.0184 + 8 * 0.088 + 152.0833333 * 0.005,
    6,
  );
  expect(estimate(u, "trial+legacy", DAY).totalUsd).toBeCloseTo(0, 9);
});

test("an experiment session: two m7g.xlarge nodes with 132 GB each", () => {
  // Per hour: 2 × 0.1819 + 2 × 132 GB × 1/730 month × 0.088 = 0.3638 + 23.232/730 = 0.3956247.
  expect(estimate(sessionUsage(2, "m7g.xlarge", 132, 1), "none").totalUsd).toBeCloseTo(0.3956247, 6);
  // 4 h: 1.4552 + 4 × 0.0318247 = 1.5824986.
  expect(estimate(sessionUsage(2, "m7g.xlarge", 132, 4), "none").totalUsd).toBeCloseTo(1.5824986, 6);
});

test("an instance type with no price is refused, naming it", () => {
  expect(() => estimate(sessionUsage(1, "x9g.huge", 10, 1), "none")).toThrow(/x9g\.huge.*cost\/prices\.ts/);
});

test("a NAT gateway breaks the budget, and the verdict names its line items", () => {
  const withGateway: TofuShow = {
    planned_values: {
      root_module: {
        resources: [
          { address: "module.network.aws_nat_gateway.this[0]", type: "aws_nat_gateway", values: {} },
          { address: "module.network.aws_eip.nat[0]", type: "aws_eip", values: {} },
        ],
      },
    },
  };
  const bill = projectBill(DEFAULT_MODEL, withGateway);
  const verdict = budgetVerdict(bill);
  expect(verdict.ok).toBe(false);
  // 730 h × $0.048 = $35.04, first among what breaks it.
  expect(verdict.message).toContain(
    "module.network.aws_nat_gateway.this[0]: 730.0 × $0.0480 per gateway-hour = $35.04 → $35.04 (always on)",
  );
  expect(verdict.message.indexOf("aws_nat_gateway")).toBeLessThan(verdict.message.indexOf("aws_eip"));
});

test("a resource of an unexpected service, or of a type the model cannot price, is named", () => {
  const bill = projectBill(DEFAULT_MODEL, {
    values: {
      root_module: {
        resources: [
          { address: "aws_db_instance.x", type: "aws_db_instance", values: {} },
          { address: "aws_sqs_queue.y", type: "aws_sqs_queue", values: {} },
        ],
      },
    },
  });
  expect(bill.unexpected.map((u) => `${u.address}: ${u.problem}`)).toEqual([
    "aws_db_instance.x: Amazon Relational Database Service has no place in the baseline",
    "aws_sqs_queue.y: the cost model does not know this resource type; add it to cost/services.ts with its price",
  ]);
});

test("a flow log is priced by its estimated volume, its group by the days it keeps", () => {
  const usage = usageOf(
    {
      values: {
        root_module: {
          resources: [
            {
              address: "f",
              type: "aws_flow_log",
              values: { log_destination_type: "cloud-watch-logs", traffic_type: "ALL" },
            },
            { address: "g", type: "aws_cloudwatch_log_group", values: { retention_in_days: 15 } },
          ],
        },
      },
    },
    { ...opts, flowLogGbPerMonth: 2 },
  );
  const bill = estimate(usage, "trial+legacy", DAY);
  // 2 GB × $0.50 ingested; 2 GB × 15/30 month kept × $0.03.
  expect(bill.totalUsd).toBeCloseTo(1 + 0.03, 10);
});

test("a session's public IPv4 on nodes is an exposure, named by resource", () => {
  expect(sessionExposure(DEFAULT_MODEL)).toEqual([]);
  const exposed = sessionExposure({
    ...DEFAULT_MODEL,
    nodes: { ...DEFAULT_MODEL.nodes, aws: { ...DEFAULT_MODEL.nodes.aws, publicIpv4: true } },
  });
  expect(exposed.map((f) => f.resource)).toEqual([
    'module.nodes.aws_eip.node["talos-node-1"]',
    'module.nodes.aws_eip.node["talos-node-2"]',
  ]);
});

test("the t4g.small trial ends with 2026: from then on its hours are paid", () => {
  expect(trialRuns(new Date("2026-12-31T23:59:00Z"))).toBe(true);
  expect(trialRuns(new Date("2027-01-01T00:00:00Z"))).toBe(false);
  const after = estimate(usage, "trial+legacy", new Date("2027-01-15T00:00:00Z"));
  const bastion = after.lines.find((l) => l.kind === "instance" && l.instanceType === "t4g.small");
  expect(bastion?.freeUsd).toBe(0);
  expect(bastion?.netUsd).toBeCloseTo(((5 * 730) / 24) * 0.0184, 9);
});
