// Spec 09 — zero public exposure (SPEC §4 row 09). Generator 09 (the guardrails) and the
// rest of the design make it pass; the audit (audit/) is the same code `npm run audit` runs.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { checkovProblems, runCheckov } from "../audit/checkov.ts";
import { auditExposure, CHECKS, describeFindings, sessionExposure } from "../audit/exposure.ts";
import { scanFromOutside } from "../audit/scan.ts";
import { evidence, expect, level, test } from "../fixtures/index.ts";

/** Every check of the audit, one step each, finds nothing; what it looked at is evidence. */
async function expectNoFindings(audit: Awaited<ReturnType<typeof auditExposure>>): Promise<void> {
  await evidence("what the audit looked at", audit.looked);
  for (const [key, check] of Object.entries(CHECKS))
    await test.step(check, () => {
      const found = audit.findings.filter((f) => f.check === check);
      expect(describeFindings(found), `${key}: ${check}`).toEqual([]);
    });
}

test.describe("09 zero public exposure", () => {
  test("the API shows no exposure: ingress, nodes, routes, flow logs, IMDSv2, EBS encryption", async ({
    model,
    target,
    aws,
  }) => {
    await expectNoFindings(await auditExposure({ model, target: target.name, ec2: aws.ec2 }));
  });

  test("an experiment session would give no node a public IP", async ({ model }) => {
    await level("offline");
    expect(describeFindings(sessionExposure(model)), CHECKS.nodePublicIp).toEqual([]);
  });

  test("an experiment session's node instances: no public address, private interfaces, out only by the NAT", async ({
    model,
    target,
    aws,
    session,
  }) => {
    // Level: lab (the emulator's instances, as the nodes layer launched them).
    const audit = await auditExposure({ model, target: target.name, ec2: aws.ec2 });
    expect(audit.looked.nodes, "the audit saw every node's instance and interface").toEqual({
      instances: session.nodeNames.length,
      interfaces: session.nodeNames.length,
    });
    await expectNoFindings(audit);
  });

  test("the audit is not blind: SSH opened to ::/0 by hand is reported by name", async ({
    model,
    target,
    aws,
  }) => {
    test.skip(target.name !== "lab", "this check changes a security group; it runs only in the lab");
    const group = (
      await aws.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [{ Name: "group-name", Values: [`${model.project}-bastion`] }],
        }),
      )
    ).SecurityGroups?.[0]?.GroupId;
    expect(group, "the bastion's group").toBeTruthy();
    const opening = {
      GroupId: group,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: "::/0" }] }],
    };
    // A run killed between the opening and its revoke leaves the rule behind: clear it first.
    await aws.ec2.send(new RevokeSecurityGroupIngressCommand(opening)).catch(() => undefined);
    await aws.ec2.send(new AuthorizeSecurityGroupIngressCommand(opening));
    try {
      const audit = await auditExposure({ model, target: target.name, ec2: aws.ec2 });
      const lines = describeFindings(audit.findings.filter((f) => f.check === CHECKS.worldIngress));
      await evidence("findings with SSH open to ::/0", lines);
      expect(
        lines.some((l) => l.includes(`${group ?? ""} (${model.project}-bastion): tcp 22 from ::/0`)),
        "the audit names the bastion's group and the world-open rule",
      ).toBe(true);
    } finally {
      await aws.ec2.send(new RevokeSecurityGroupIngressCommand(opening));
    }
  });

  test("the audit is not blind: a route from the nodes' subnet straight to the internet gateway is reported", async ({
    model,
    target,
    aws,
  }) => {
    test.skip(target.name !== "lab", "this check changes a route table; it runs only in the lab");
    const subnet = (
      await aws.ec2.send(
        new DescribeSubnetsCommand({
          Filters: [{ Name: "cidr-block", Values: [model.network.private.cidr] }],
        }),
      )
    ).Subnets?.[0];
    const table = (
      await aws.ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [{ Name: "association.subnet-id", Values: [subnet?.SubnetId ?? ""] }],
        }),
      )
    ).RouteTables?.[0]?.RouteTableId;
    const igw = (
      await aws.ec2.send(
        new DescribeInternetGatewaysCommand({
          Filters: [{ Name: "attachment.vpc-id", Values: [subnet?.VpcId ?? ""] }],
        }),
      )
    ).InternetGateways?.[0]?.InternetGatewayId;
    expect(table && igw, "the private route table and the internet gateway").toBeTruthy();
    // A documentation range (RFC 5737) the lab routes nowhere else.
    const route = { RouteTableId: table, DestinationCidrBlock: "192.0.2.0/24" };
    await aws.ec2.send(new DeleteRouteCommand(route)).catch(() => undefined);
    await aws.ec2.send(new CreateRouteCommand({ ...route, GatewayId: igw }));
    try {
      const audit = await auditExposure({ model, target: target.name, ec2: aws.ec2 });
      const lines = describeFindings(audit.findings.filter((f) => f.check === CHECKS.nodeRoutes));
      await evidence("findings with the route added", lines);
      expect(
        lines.some((l) => l.startsWith(`route 192.0.2.0/24 in ${table ?? ""}`) && l.includes(igw ?? "")),
        "the audit names the route, its table and the gateway",
      ).toBe(true);
    } finally {
      await aws.ec2.send(new DeleteRouteCommand(route));
    }
  });

  test("lab: a scan from the lab internet finds nothing open, and from home only SSH", async ({
    model,
    aws,
    lab,
  }) => {
    const scan = await scanFromOutside(model, aws.ec2, lab);
    await evidence("scan plan", scan.plan);
    await evidence("from the lab internet", scan.fromInternet);
    await evidence("from the operator's home", scan.fromHome);
    await test.step(`${scan.fromInternet.attempts} attempts from the lab internet, ${scan.fromHome.attempts} from home`, () => {
      expect(scan.plan.addresses.length, "addresses to scan").toBeGreaterThan(0);
      expect(scan.fromInternet.open, "nothing answers the lab internet").toEqual([]);
      // The same verdict as `npm run audit`: only SSH on the bastion answers home, and it does.
      expect(
        scan.unexpected,
        "SSH on the bastion from home, nothing else, and probes that reached the VPC",
      ).toEqual([]);
    });
  });

  test("checkov finds nothing in the generated infra/, and every skip has its reason", async ({ model }) => {
    await level("offline");
    const result = runCheckov(model);
    await evidence(`checkov ${result.version}`, result);
    expect(checkovProblems(result), "no failed check, every skip with its reason").toEqual([]);
  });
});
