// A new version of a launch template, as `tofu apply` makes when the bastion's user data
// changes (a regenerated boot script, a new model value): on EC2 the group's next instance
// boots it. moto 5 stores the user data of a version made by CreateLaunchTemplateVersion
// unparsed, and its Auto Scaling group then fails every scale-out with a 500; the lab
// (lab/moto_lab.py) parses it as CreateLaunchTemplate does. Level: offline (the emulator alone).
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstanceAttributeCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { expect, test } from "@playwright/test";
import { existsSync } from "node:fs";
import { python, startEmulatorProcess } from "./emulator-process.ts";

const REGION = "eu-west-1";
const AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
const b64 = (s: string) => Buffer.from(s).toString("base64");

test("a group scales out from its template's new version, with the new user data", async () => {
  test.skip(!existsSync(python), `moto is not installed (${python}): run npm run setup`);
  const emulator = await startEmulatorProcess();
  try {
    const config = {
      endpoint: emulator.url,
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: "lab", secretAccessKey: "lab" },
    };
    const ec2 = new EC2Client(config);
    const asg = new AutoScalingClient(config);
    const ssm = new SSMClient(config);
    const image = (await ssm.send(new GetParameterCommand({ Name: AMI_PARAMETER }))).Parameter?.Value;
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc?.VpcId;
    const subnet = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.1.0/24", AvailabilityZone: `${REGION}a` }),
      )
    ).Subnet?.SubnetId;
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "app",
        LaunchTemplateData: {
          ImageId: image,
          InstanceType: "t4g.micro",
          UserData: b64("#!/bin/sh\necho one\n"),
        },
      }),
    );
    const id = created.LaunchTemplate?.LaunchTemplateId;
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        LaunchTemplateData: {
          ImageId: image,
          InstanceType: "t4g.micro",
          UserData: b64("#!/bin/sh\necho two\n"),
        },
      }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "app",
        LaunchTemplate: { LaunchTemplateId: id, Version: "2" },
        MinSize: 0,
        MaxSize: 1,
        DesiredCapacity: 0,
        VPCZoneIdentifier: subnet,
      }),
    );
    const scaled = await asg
      .send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "app", DesiredCapacity: 1 }))
      .then(
        () => "ok",
        (e: unknown) => String(e),
      );
    expect(scaled, `the group scales out from version 2:\n${emulator.log()}`).toBe("ok");
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["app"] })))
      .AutoScalingGroups?.[0];
    const instance = group?.Instances?.[0]?.InstanceId ?? "";
    expect(instance, "the group has its instance").not.toBe("");
    const attribute = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instance, Attribute: "userData" }),
    );
    expect(
      Buffer.from(attribute.UserData?.Value ?? "", "base64").toString(),
      "the new version's user data",
    ).toBe("#!/bin/sh\necho two\n");
    ec2.destroy();
    asg.destroy();
    ssm.destroy();
  } finally {
    await emulator.stop();
  }
});
