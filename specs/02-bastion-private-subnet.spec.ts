// Spec 02 — bastion in the private subnet (SPEC §4 row 02). Generator 02 makes it pass.
import {
  DescribeAutoScalingGroupsCommand,
  DescribeScheduledActionsCommand,
  type ScheduledUpdateGroupAction,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSubnetsCommand,
  TerminateInstancesCommand,
  type Instance,
} from "@aws-sdk/client-ec2";
import { readFileSync } from "node:fs";
import { evidence, expect, test } from "../fixtures/index.ts";
import type { BastionClient } from "../fixtures/bastion.ts";
import type { AwsClients } from "../common/target.ts";
import { LabClient } from "../fixtures/lab.ts";
import { run } from "../common/exec.ts";
import { derived, readSchedule, type Model } from "../model/index.ts";

/** The group's running bastion instance, as the AWS API describes it. */
async function runningBastion(aws: AwsClients, model: Model): Promise<Instance> {
  const g = await aws.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [model.bastion.asgName] }),
  );
  const ids = (g.AutoScalingGroups?.[0]?.Instances ?? [])
    .filter((i) => i.LifecycleState === "InService")
    .map((i) => i.InstanceId ?? "");
  expect(ids, `exactly one InService instance in ${model.bastion.asgName}`).toHaveLength(1);
  const r = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const instance = r.Reservations?.[0]?.Instances?.[0];
  expect(instance?.State?.Name, "the bastion instance is running").toBe("running");
  return instance as Instance;
}

/** The lab answer: the fixed address answers an echo from a host on the private subnet. */
function pingFixedAddress(lab: LabClient, model: Model): { ok: boolean; output: string } {
  const r = lab.exec(lab.dataPlane.privateHost.ns, ["ping", "-c", "1", "-W", "2", model.bastion.privateIp]);
  return { ok: r.code === 0, output: r.stdout + r.stderr };
}

/** Logs in from home and checks the fixed address is on the machine that answered. */
async function answersOnFixedAddress(bastion: BastionClient, model: Model): Promise<string> {
  const session = await bastion.login("home");
  try {
    const r = await session.exec("hostname; ip -o -4 addr show; ip -o -6 addr show scope global");
    expect(r.code, `ip addr on the bastion: ${r.stderr}`).toBe(0);
    expect(r.stdout, `the bastion carries ${model.bastion.privateIp}`).toContain(
      `${model.bastion.privateIp}/`,
    );
    return r.stdout;
  } finally {
    session.close();
  }
}

test.describe("02 bastion in private subnet", () => {
  test("the bastion runs in its group, in the private subnet, as the model says", async ({ aws, model }) => {
    const g = await aws.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [model.bastion.asgName] }),
    );
    const group = g.AutoScalingGroups?.[0];
    await evidence("DescribeAutoScalingGroups", group);
    expect(group, `an Auto Scaling group named ${model.bastion.asgName}`).toBeDefined();
    expect([group?.MinSize, group?.MaxSize], "the group keeps at most one bastion").toEqual([0, 1]);
    const instance = await runningBastion(aws, model);
    await evidence("the bastion instance", instance);
    expect(instance.Tags?.find((t) => t.Key === "Name")?.Value, "its Name tag").toBe(model.bastion.name);
    expect(instance.InstanceType, "an ARM64 type from the model").toBe(model.bastion.instanceType);
    const subnets = await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [instance.SubnetId ?? ""] }));
    // The bastion as the private subnet's NAT starts in the public subnet with a public IPv4
    // (paid only while it runs) and serves the private subnet from its fixed interface there;
    // otherwise it lives in the private subnet alone (docs/decisions.md).
    const isNat = model.network.nat === "bastion";
    const home = isNat ? model.network.public.cidr : model.network.private.cidr;
    expect(
      subnets.Subnets?.[0]?.CidrBlock,
      isNat
        ? `as the NAT (network.nat = bastion), its first interface is in the public subnet ${home}`
        : `it runs in the private subnet ${home}`,
    ).toBe(home);
    expect(
      Boolean(instance.PublicIpAddress),
      isNat
        ? "as the NAT it holds a public IPv4 while it runs"
        : "it holds no public IPv4 (the NAT is elsewhere)",
    ).toBe(isNat);
    await test.step(`its fixed interface, ${model.bastion.privateIp}, is in the private subnet`, async () => {
      const fixed = (instance.NetworkInterfaces ?? []).find(
        (n) => n.PrivateIpAddress === model.bastion.privateIp,
      );
      await evidence("the instance's interfaces", instance.NetworkInterfaces);
      const s = await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [fixed?.SubnetId ?? ""] }));
      expect(s.Subnets?.[0]?.CidrBlock, "the fixed interface is attached, in the private subnet").toBe(
        model.network.private.cidr,
      );
    });
    await test.step("its launch template requires IMDSv2 and encrypts its volume", async () => {
      const spec = group?.LaunchTemplate;
      const lt = await aws.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: spec?.LaunchTemplateId ?? "",
          Versions: [spec?.Version ?? "$Latest"],
        }),
      );
      const data = lt.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      await evidence("the launch template", data);
      expect(data?.MetadataOptions?.HttpTokens, "IMDSv2 is required").toBe("required");
      expect(data?.BlockDeviceMappings?.[0]?.Ebs?.Encrypted, "the root volume is encrypted").toBe(true);
      expect(
        data?.IamInstanceProfile?.Arn,
        "an instance profile (Session Manager, the fixed interface)",
      ).toBeTruthy();
    });
  });

  test("the fixed address is on the running bastion and answers", async ({ aws, bastion, model, target }) => {
    const eni = await bastion.fixedInterface();
    await evidence("the fixed interface", eni);
    expect(eni.PrivateIpAddress, "the interface carries the model's address").toBe(model.bastion.privateIp);
    const instance = await runningBastion(aws, model);
    expect(eni.Attachment?.InstanceId, "attached to the running bastion").toBe(instance.InstanceId);
    expect(eni.Attachment?.DeviceIndex, "as its second device").toBe(1);
    if (target.hasLabDataPlane)
      await test.step(`a host on the private subnet gets an echo from ${model.bastion.privateIp}`, async () => {
        const r = pingFixedAddress(new LabClient(model), model);
        await evidence("ping from the private host", r.output);
        expect(r.ok, `${model.bastion.privateIp} answers: ${r.output}`).toBe(true);
      });
    await test.step("logged in from home, the address is on the machine that answers", async () => {
      await evidence("ip addr on the bastion", await answersOnFixedAddress(bastion, model));
    });
  });

  test("the bastion has IPv4 egress", async ({ bastion, labIfAny }) => {
    const lab = labIfAny?.dataPlane;
    const url = lab
      ? `http://${lab.internet.web}:${lab.internet.webPort}/`
      : "https://checkip.amazonaws.com/";
    const session = await bastion.login("home");
    try {
      const r = await session.exec(`curl -4 -sS -m 10 ${url}`);
      await evidence(`curl ${url} on the bastion`, r);
      expect(r.code, `the bastion reaches ${url} over IPv4: ${r.stderr}`).toBe(0);
      if (lab) {
        const nat = lab.publicAddresses.find((a) => a.nat)?.labPublicIp;
        const seen = (JSON.parse(r.stdout) as { seenFrom?: string }).seenFrom;
        expect(seen, "the internet sees the NAT's public address").toBe(nat);
      } else expect(r.stdout.trim(), "checkip answers with an IPv4 address").toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    } finally {
      session.close();
    }
  });

  test("every AWS call the bastion made was one its role allows, the caches' credentials read included", async ({
    model,
    target,
  }) => {
    test.skip(!target.hasLabDataPlane, "the lab's emulator enforces instance roles; on AWS, IAM itself does");
    // Level: lab. The emulator checks each call the bastion signs with its instance credentials
    // against the role's policies as OpenTofu applied them (lab/moto_lab.py), as IAM would.
    const iam = await new LabClient(model).iamDecisions();
    await evidence("the emulator's IAM decisions for the lab's instances", iam);
    expect(iam.denied, "no call of the bastion was refused by its role").toEqual([]);
    const role = `${model.project}-bastion`;
    const allowed = iam.allowed.filter((d) => d.role === role);
    const arn = (action: string, resource: RegExp): void => {
      expect(
        allowed.some((d) => d.action === action && resource.test(d.resource)),
        `the bastion made ${action} on ${resource.source}, and its role allowed it`,
      ).toBe(true);
    };
    arn("ec2:AttachNetworkInterface", /:network-interface\/eni-/);
    arn("ec2:AttachNetworkInterface", /:instance\/i-/);
    arn("budgets:ViewBudget", /^arn:aws:budgets::\d{12}:budget\//);
    for (const c of model.services.caches) {
      const name = `${model.services.registryCredentialsPath}/${c.upstream}/username`;
      arn(
        "ssm:GetParameter",
        new RegExp(`^arn:aws:ssm:${model.region}:\\d{12}:parameter${name.replaceAll(".", "\\.")}$`),
      );
    }
  });

  test("SSH with the operator's key works from home", async ({ aws, bastion, model, target }) => {
    await test.step("replies to home leave by the internet gateway, and only replies to home", async () => {
      const eni = await bastion.fixedInterface();
      const tables = await aws.ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [{ Name: "association.subnet-id", Values: [eni.SubnetId ?? ""] }],
        }),
      );
      const routes = tables.RouteTables?.[0]?.Routes ?? [];
      await evidence("the bastion subnet's routes", routes);
      const viaIgw = routes.filter((r) => r.DestinationIpv6CidrBlock && r.GatewayId?.startsWith("igw-"));
      expect(
        viaIgw.map((r) => r.DestinationIpv6CidrBlock),
        "the operator's /128, and nothing wider, is routed to the internet gateway",
      ).toEqual([derived(model).operatorCidr(target.name)]);
      expect(
        routes.find((r) => r.DestinationIpv6CidrBlock === "::/0")?.EgressOnlyInternetGatewayId,
        "all other IPv6 leaves by the egress-only gateway",
      ).toMatch(/^eigw-/);
    });
    const session = await bastion.login("home");
    try {
      const r = await session.exec("id -un");
      await evidence("id -un over SSH from home", { ...r, hostKey: session.hostKey });
      expect(r.stdout.trim(), "logged in as the image's user").toBe(model.bastion.sshUser);
    } finally {
      session.close();
    }
  });

  test("SSH from any other address does not work", async ({ aws, bastion, model, target, labIfAny }) => {
    const eni = await bastion.fixedInterface();
    await test.step("the security group opens port 22 to the operator's /128 only", async () => {
      const rules = await aws.ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: "group-id", Values: (eni.Groups ?? []).map((g) => g.GroupId ?? "") }],
        }),
      );
      await evidence("the bastion's security group rules", rules.SecurityGroupRules);
      const ssh = (rules.SecurityGroupRules ?? []).filter(
        (r) =>
          !r.IsEgress &&
          (r.IpProtocol === "-1" ||
            (["tcp", "6"].includes(r.IpProtocol ?? "") && (r.FromPort ?? 0) <= 22 && (r.ToPort ?? 0) >= 22)),
      );
      expect(
        ssh.map((r) => r.CidrIpv6 ?? r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId),
        "the only rule that reaches port 22 is the operator's address",
      ).toEqual([derived(model).operatorCidr(target.name)]);
    });
    test.skip(!target.hasLabDataPlane, `target ${target.name} has no stranger's address to try from`);
    if (!labIfAny) throw new Error("a target with a lab data plane has a lab client");
    const chain = labIfAny.securityGroupChain(eni.NetworkInterfaceId ?? "");
    const drops = () => dropCounter(model, chain);
    await test.step("from a stranger's address on the lab internet: no answer", async () => {
      const before = drops();
      const err = await bastion.login("stranger", 4000).then(
        (s) => {
          s.close();
          return undefined;
        },
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      await evidence("SSH from the stranger", { error: err, dropsBefore: before, dropsAfter: drops() });
      expect(err, "the stranger's SSH must fail").toBeDefined();
      expect(drops(), "the bastion's security group dropped the stranger's packets").toBeGreaterThan(before);
    });
    await test.step("from a host inside the VPC over IPv4: no answer either", async () => {
      const lab = new LabClient(model);
      const r = lab.tcp(lab.dataPlane.privateHost.ns, model.bastion.privateIp, 22, 2000);
      await evidence(`TCP to ${model.bastion.privateIp}:22 from the private host`, r);
      expect(r.ok, "port 22 is closed to the VPC").toBe(false);
    });
  });

  test("start and stop actions give about the model's hours a day", async ({ aws, model }) => {
    const r = await aws.autoscaling.send(
      new DescribeScheduledActionsCommand({ AutoScalingGroupName: model.bastion.asgName }),
    );
    const actions = r.ScheduledUpdateGroupActions ?? [];
    await evidence("DescribeScheduledActions", actions);
    expect(actions.length, "at least a start and a stop action").toBeGreaterThanOrEqual(2);
    const start = actions.find((a) => (a.DesiredCapacity ?? 0) >= 1);
    const stop = actions.find((a) => a.DesiredCapacity === 0);
    expect(start?.Recurrence, "a start action (desired ≥ 1) with a recurrence").toBeTruthy();
    expect(stop?.Recurrence, "a stop action (desired 0) with a recurrence").toBeTruthy();
    expect([start?.TimeZone, stop?.TimeZone], "both read in the model's time zone").toEqual([
      model.bastion.schedule.timeZone,
      model.bastion.schedule.timeZone,
    ]);
    const reading = readSchedule(start?.Recurrence ?? "", stop?.Recurrence ?? "");
    await evidence("the schedule, read", reading);
    if (typeof reading === "string") throw new Error(`the schedule cannot be read: ${reading}`);
    expect(
      Math.abs(reading.hoursPerDay - model.bastion.schedule.targetHoursPerDay),
      `${reading.hoursPerDay} hours a day, about ${model.bastion.schedule.targetHoursPerDay}`,
    ).toBeLessThanOrEqual(0.5);
  });

  test.describe("self-healing", () => {
    test.beforeEach(({ target }) => {
      test.skip(
        !target.hasLabDataPlane,
        "destructive: replaces the bastion; run it against the lab (on aws, terminate the instance yourself)",
      );
    });

    test("a terminated bastion is replaced and answers on the fixed address again", async ({
      aws,
      lab,
      bastion,
      model,
    }) => {
      test.setTimeout(240_000);
      const before = await runningBastion(aws, model);
      const started = Date.now();
      await test.step(`terminate ${before.InstanceId ?? ""}`, async () => {
        await aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [before.InstanceId ?? ""] }));
      });
      const booted = await test.step("the group launches a replacement; the lab boots it", async () => {
        const b = await lab.waitForBastion(180_000, before.InstanceId);
        await evidence("the replacement's boot log", readLog(b.bootScript.log));
        return b;
      });
      const after = await runningBastion(aws, model);
      expect(after.InstanceId, "a new instance").not.toBe(before.InstanceId);
      expect(booted.instanceId, "the lab follows the emulator's instance").toBe(after.InstanceId);
      const eni = await bastion.fixedInterface();
      expect(eni.Attachment?.InstanceId, "the fixed interface moved to the replacement").toBe(
        after.InstanceId,
      );
      await evidence("ip addr on the replacement", await answersOnFixedAddress(bastion, model));
      await evidence("replacement time", { seconds: (Date.now() - started) / 1000 });
    });

    test("the schedule's stop then start, fired on the lab clock, bring it back on the fixed address", async ({
      aws,
      bastion,
      model,
    }) => {
      // Level: lab. The lab's scheduler carries out the group's scheduled actions as Auto
      // Scaling does, when the lab clock passes their times in their time zone (lab/schedules.ts).
      test.setTimeout(240_000);
      const lab = new LabClient(model);
      const r = await aws.autoscaling.send(
        new DescribeScheduledActionsCommand({ AutoScalingGroupName: model.bastion.asgName }),
      );
      const actions = r.ScheduledUpdateGroupActions ?? [];
      const stop = actions.find((a) => a.DesiredCapacity === 0);
      const start = actions.find((a) => (a.DesiredCapacity ?? 0) >= 1);
      if (!stop?.Recurrence || !start?.Recurrence) throw new Error("the group has no start and stop actions");
      const before = await runningBastion(aws, model);
      /** Moves the lab clock to the action's next time and waits for the lab to carry it out. */
      const fire = async (a: ScheduledUpdateGroupAction, after: Date): Promise<Date> => {
        const name = a.ScheduledActionName ?? "";
        const { at, firing } = await lab.fireNext(
          { source: "auto-scaling", name, expression: a.Recurrence ?? "", timeZone: a.TimeZone ?? "UTC" },
          after,
          20_000,
        );
        expect(firing?.outcome, `${name} fires at ${at.toISOString()}: ${firing?.detail ?? ""}`).toBe("done");
        return at;
      };
      const stoppedAt =
        await test.step(`stop (${stop.Recurrence} ${stop.TimeZone ?? ""}): the bastion goes`, async () => {
          const at = await fire(stop, lab.clock());
          await expect
            .poll(() => bastion.labRecord()?.instanceId, {
              timeout: 30_000,
              message: "the lab tears the bastion down",
            })
            .toBeUndefined();
          const err = await bastion.login("home", 3000).then(
            (s) => {
              s.close();
              return undefined;
            },
            (e: unknown) => String(e),
          );
          expect(err, "no SSH while stopped").toBeDefined();
          return at;
        });
      await test.step(`start (${start.Recurrence} ${start.TimeZone ?? ""}): a new bastion answers`, async () => {
        await fire(start, stoppedAt);
        const b = await lab.waitForBastion(180_000, before.InstanceId);
        await evidence("the new bastion's boot log", readLog(b.bootScript.log));
        await evidence("ip addr after the start", await answersOnFixedAddress(bastion, model));
      });
      await evidence("the lab's firings", lab.scheduleFirings());
    });
  });
});

function readLog(file: string): string {
  return readFileSync(file, "utf8");
}

/** Packets the interface's ingress chain dropped so far. */
function dropCounter(model: Model, sg: { readonly table: string; readonly chain: string }): number {
  const r = run(
    [
      "ip",
      "netns",
      "exec",
      derived(model).namespaces.vpc,
      "nft",
      "list",
      "chain",
      "inet",
      sg.table,
      sg.chain,
    ],
    { allowFailure: true },
  );
  const m = /counter packets (\d+) bytes \d+ drop/.exec(r.stdout);
  return m ? Number(m[1]) : -1;
}
