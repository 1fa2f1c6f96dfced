// Spec 01 — network foundation (SPEC §4 row 01). Generator 01 makes it pass.
import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type RouteTable,
} from "@aws-sdk/client-ec2";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { evidence, expect, test } from "../fixtures/index.ts";
import { schedulerCron } from "../model/index.ts";

test.describe("01 network foundation", () => {
  let vpcId = "";

  test.beforeEach(async ({ aws, model }) => {
    const vpcs = await aws.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: [model.network.vpcCidr] }] }),
    );
    vpcId = vpcs.Vpcs?.[0]?.VpcId ?? "";
  });

  async function routeTableOf(
    aws: { ec2: import("@aws-sdk/client-ec2").EC2Client },
    subnetCidr: string,
  ): Promise<RouteTable> {
    const subnets = await aws.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "cidr-block", Values: [subnetCidr] },
        ],
      }),
    );
    const subnetId = subnets.Subnets?.[0]?.SubnetId;
    expect(subnetId, `a subnet ${subnetCidr} in the VPC`).toBeTruthy();
    const tables = await aws.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "association.subnet-id", Values: [subnetId ?? ""] }],
      }),
    );
    const table = tables.RouteTables?.[0];
    expect(table, `the subnet ${subnetCidr} has its own route table`).toBeDefined();
    await evidence(`route table of ${subnetCidr}`, table);
    return table as RouteTable;
  }

  test("the VPC exists with the model's CIDR", async ({ aws, model }) => {
    const vpcs = await aws.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: [model.network.vpcCidr] }] }),
    );
    await evidence("DescribeVpcs", vpcs.Vpcs);
    expect(vpcs.Vpcs, `exactly one VPC with CIDR ${model.network.vpcCidr}`).toHaveLength(1);
    expect(vpcs.Vpcs?.[0]?.State).toBe("available");
  });

  test("the public and private subnets exist in the VPC", async ({ aws, model }) => {
    const r = await aws.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
    );
    await evidence("DescribeSubnets", r.Subnets);
    const cidrs = (r.Subnets ?? []).map((s) => s.CidrBlock);
    for (const subnet of [model.network.public, model.network.private])
      expect(cidrs, `subnet ${subnet.cidr} in VPC ${vpcId}`).toContain(subnet.cidr);
    const priv = r.Subnets?.find((s) => s.CidrBlock === model.network.private.cidr);
    expect(priv?.MapPublicIpOnLaunch, "the private subnet gives no public IPv4").toBe(false);
  });

  test("the private subnet's default route leads to a working NAT", async ({ aws, model }) => {
    test.skip(
      model.network.nat === "none",
      "network.nat is none: the private subnet has IPv6 egress only, by choice",
    );
    const table = await routeTableOf(aws, model.network.private.cidr);
    const route = table.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    expect(route, "a 0.0.0.0/0 route in the private route table").toBeDefined();
    if (model.network.nat === "nat_gateway") {
      expect(route?.NatGatewayId, "the default route targets a NAT gateway").toMatch(/^nat-/);
      const gw = await aws.ec2.send(
        new DescribeNatGatewaysCommand({ NatGatewayIds: [route?.NatGatewayId ?? ""] }),
      );
      await evidence("DescribeNatGateways", gw.NatGateways);
      expect(gw.NatGateways?.[0]?.State, "the NAT gateway is available").toBe("available");
      return;
    }
    const eniId = route?.NetworkInterfaceId;
    expect(eniId, "the default route targets the NAT instance's interface").toMatch(/^eni-/);
    const eni = await aws.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId ?? ""] }),
    );
    const target = eni.NetworkInterfaces?.[0];
    await evidence("the route's interface", target);
    // AWS checks the interface the packet arrives on: off there, or every forwarded packet is dropped.
    expect(target?.SourceDestCheck, "the route's interface has its source/destination check off").toBe(false);
    const instanceId = target?.Attachment?.InstanceId;
    const r = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId ?? ""] }));
    const nat = r.Reservations?.[0]?.Instances?.[0];
    await evidence("the NAT instance", nat);
    expect(nat?.State?.Name, "the NAT instance is running").toBe("running");
    if (model.network.nat === "bastion") {
      expect(nat?.Tags?.find((t) => t.Key === "Name")?.Value, "the NAT is the bastion").toBe(
        model.bastion.name,
      );
      expect(target?.PrivateIpAddress, "at its fixed address").toBe(model.bastion.privateIp);
      expect(nat?.PublicIpAddress, "with a public IPv4 while it runs").toBeTruthy();
    } else {
      expect(nat?.SourceDestCheck, "the NAT instance's source/destination check is off").toBe(false);
      expect(nat?.InstanceType, "the NAT instance has the model's type").toBe(model.network.natInstanceType);
    }
  });

  test("the NAT instance keeps the bastion's hours", async ({ aws, model }) => {
    test.skip(model.network.nat !== "nat_instance", `network.nat is ${model.network.nat}: no NAT instance`);
    test.skip(model.network.natSchedule === "always", "network.natSchedule is always: it runs all month");
    const b = model.bastion.schedule;
    const r = await aws.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:Name", Values: [`${model.project}-nat`] },
          { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
        ],
      }),
    );
    const natId = r.Reservations?.[0]?.Instances?.[0]?.InstanceId;
    expect(natId, "the NAT instance is found by its Name tag").toMatch(/^i-/);
    for (const [what, cron] of [
      ["start", b.start],
      ["stop", b.stop],
    ] as const) {
      const s = await aws.scheduler.send(new GetScheduleCommand({ Name: `${model.project}-nat-${what}` }));
      await evidence(`the NAT's ${what} schedule`, s);
      expect(
        s.ScheduleExpression,
        `it ${what}s at the bastion's ${cron}, weekdays named as Scheduler reads them`,
      ).toBe(schedulerCron(cron));
      expect(s.ScheduleExpressionTimezone, "in the bastion's time zone").toBe(b.timeZone);
      expect(s.State, "the schedule is enabled").toBe("ENABLED");
      expect(s.Target?.Arn, `it calls EC2's ${what}Instances`).toBe(
        `arn:aws:scheduler:::aws-sdk:ec2:${what}Instances`,
      );
      expect(JSON.parse(s.Target?.Input ?? "{}"), "on the NAT instance").toEqual({ InstanceIds: [natId] });
    }
  });

  test("the public subnet's default route leads to the VPC's internet gateway", async ({ aws, model }) => {
    const table = await routeTableOf(aws, model.network.public.cidr);
    const route = table.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    expect(route?.GatewayId, "the default route targets an internet gateway").toMatch(/^igw-/);
    const igw = await aws.ec2.send(
      new DescribeInternetGatewaysCommand({ InternetGatewayIds: [route?.GatewayId ?? ""] }),
    );
    await evidence("DescribeInternetGateways", igw.InternetGateways);
    expect(
      igw.InternetGateways?.[0]?.Attachments?.[0]?.VpcId,
      "the internet gateway is attached to the VPC",
    ).toBe(vpcId);
  });

  test("both subnets' route tables have the local VPC route", async ({ aws, model }) => {
    for (const subnet of [model.network.public, model.network.private]) {
      const table = await routeTableOf(aws, subnet.cidr);
      const local = table.Routes?.find((r) => r.DestinationCidrBlock === model.network.vpcCidr);
      expect(local?.GatewayId, `${subnet.cidr}'s table routes ${model.network.vpcCidr} locally`).toBe(
        "local",
      );
    }
  });

  test("lab: a private host reaches the lab internet through the NAT", async ({ lab, model }) => {
    test.skip(model.network.nat === "none", "network.nat is none: no IPv4 egress by design");
    const { privateHost, internet, publicAddresses } = lab.dataPlane;
    const natPublic = publicAddresses.find((a) => a.nat)?.labPublicIp;
    expect(natPublic, "the NAT holds a public address at the internet gateway").toBeTruthy();
    const url = `http://${internet.web}:${internet.webPort}/`;
    const r = lab.http(privateHost.ns, url);
    await evidence(`GET ${url} from ${privateHost.ip}`, r);
    expect(r.ok, `the private host ${privateHost.ip} gets an answer from ${url}: ${r.error ?? ""}`).toBe(
      true,
    );
    const seen = (JSON.parse(r.body ?? "{}") as { seenFrom?: string }).seenFrom;
    expect(seen, "the internet sees the NAT's public address, not the private one").toBe(natPublic);
  });

  test("lab: the lab internet cannot reach the private host", async ({ lab, model }) => {
    const { privateHost, internet, publicAddresses } = lab.dataPlane;
    const port = model.lab.probePort;
    const listener = await lab.listen(privateHost.ns, "0.0.0.0", port, "private-host");
    try {
      await test.step("control: the listener answers from inside the VPC", async () => {
        const nearby = lab.dataPlane.nat?.ns ?? lab.dataPlane.privateHost.ns;
        const r = lab.tcp(nearby, privateHost.ip, port);
        await evidence(`from ${nearby} to ${privateHost.ip}:${port}`, r);
        expect(
          r.ok && r.body?.includes("private-host"),
          "the private host's listener answers inside the VPC",
        ).toBe(true);
      });
      await test.step("from the lab internet to the private address", async () => {
        const r = lab.tcp(internet.ns, privateHost.ip, port, 2000);
        await evidence(`from ${internet.ns} to ${privateHost.ip}:${port}`, r);
        expect(r.ok, `the lab internet must not reach ${privateHost.ip}:${port}`).toBe(false);
      });
      for (const a of publicAddresses)
        await test.step(`from the lab internet to public address ${a.labPublicIp}`, async () => {
          const r = lab.tcp(internet.ns, a.labPublicIp, port, 2000);
          await evidence(`from ${internet.ns} to ${a.labPublicIp}:${port}`, r);
          expect(r.ok, `nothing answers on ${a.labPublicIp}:${port} from the internet`).toBe(false);
        });
    } finally {
      await evidence("private host listener log", await listener.stop());
    }
  });

  test("lab: a second tofu apply changes nothing", async ({ target, labIfAny }) => {
    test.skip(
      target.name !== "lab",
      "the idempotency check applies the lab root; on aws run `tofu plan` yourself",
    );
    if (!labIfAny) throw new Error("a lab target has a lab client");
    const plan = labIfAny.planRoot();
    await evidence("tofu plan -detailed-exitcode", plan.stdout + plan.stderr);
    expect(plan.code, "tofu plan exits 0 (no changes) after lab up's apply; 2 means drift").toBe(0);
  });
});
