// The lab's IAM enforcement for instance roles (lab/moto_lab.py): a call signed with a lab
// instance's credentials is allowed only as far as the role of the instance's profile allows
// the action on the resource, as AWS decides it; the operator's own calls are not restricted.
// The emulator runs on a free loopback port of its own. Level: offline (the emulator alone).
import {
  AttachNetworkInterfaceCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateTagsCommand,
  CreateFlowLogsCommand,
  CreateVpcCommand,
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { expect, test } from "@playwright/test";
import { existsSync } from "node:fs";
import { python, startEmulatorProcess, type EmulatorProcess } from "./emulator-process.ts";

const REGION = "eu-west-1";
const AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

interface World {
  readonly emulator: EmulatorProcess;
  readonly instanceId: string;
  /** Clients signed as the instance (its IMDS credentials in the lab). */
  readonly asInstance: { readonly ec2: EC2Client; readonly ssm: SSMClient };
  readonly admin: { readonly ec2: EC2Client; readonly ssm: SSMClient };
}

async function world(policy: object): Promise<World> {
  const emulator = await startEmulatorProcess();
  const admin = { accessKeyId: "lab", secretAccessKey: "lab" };
  const config = { endpoint: emulator.url, region: REGION, maxAttempts: 1 };
  const ec2 = new EC2Client({ ...config, credentials: admin });
  const ssm = new SSMClient({ ...config, credentials: admin });
  const iam = new IAMClient({ ...config, credentials: admin });
  const trust = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
  await iam.send(new CreateRoleCommand({ RoleName: "app", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(
    new PutRolePolicyCommand({ RoleName: "app", PolicyName: "app", PolicyDocument: JSON.stringify(policy) }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "app-profile" }));
  await iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: "app-profile", RoleName: "app" }),
  );
  const image = (await ssm.send(new GetParameterCommand({ Name: AMI_PARAMETER }))).Parameter?.Value ?? "";
  // As the bastion is launched: from a template that names the profile, not by RunInstances itself.
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "app",
      LaunchTemplateData: {
        ImageId: image,
        InstanceType: "t4g.micro",
        IamInstanceProfile: { Name: "app-profile" },
      },
    }),
  );
  const run = await ec2.send(
    new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: "app" } }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId ?? "";
  for (const [name, value] of [
    ["/app/allowed/token", "yes"],
    ["/app/secret/key", "no"],
  ])
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: "SecureString" }));
  iam.destroy();
  // The lab's IMDS hands an instance this key (lab/programs/imds.ts).
  const instanceKey = {
    accessKeyId: `ASIALAB${instanceId.replace(/^i-/, "").toUpperCase()}`,
    secretAccessKey: "lab",
    sessionToken: "lab",
  };
  return {
    emulator,
    instanceId,
    admin: { ec2, ssm },
    asInstance: {
      ec2: new EC2Client({ ...config, credentials: instanceKey }),
      ssm: new SSMClient({ ...config, credentials: instanceKey }),
    },
  };
}

async function close(w: World): Promise<void> {
  for (const c of [w.admin.ec2, w.admin.ssm, w.asInstance.ec2, w.asInstance.ssm]) c.destroy();
  await w.emulator.stop();
}

const denial = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call;
  } catch (e) {
    const err = e as { name?: string; message?: string };
    return `${err.name ?? ""}: ${err.message ?? ""}`;
  }
  return "allowed";
};

test.describe("the emulator enforces instance roles", () => {
  test.skip(!existsSync(python), `moto is not installed (${python}): run npm run setup`);

  test("an instance may read the parameters its role allows, and no other; the refusal names action and resource", async () => {
    const w = await world({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ssm:GetParameter", Resource: "arn:aws:ssm:*:*:parameter/app/allowed/*" },
        { Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
      ],
    });
    try {
      const described = await w.admin.ec2.send(new DescribeInstancesCommand({ InstanceIds: [w.instanceId] }));
      expect(
        described.Reservations?.[0]?.Instances?.[0]?.IamInstanceProfile?.Arn,
        "the instance carries its launch template's profile, as on AWS",
      ).toMatch(/instance-profile\/app-profile$/);
      const ok = await w.asInstance.ssm.send(
        new GetParameterCommand({ Name: "/app/allowed/token", WithDecryption: true }),
      );
      expect(ok.Parameter?.Value).toBe("yes");
      expect(await denial(w.asInstance.ssm.send(new GetParameterCommand({ Name: "/app/secret/key" })))).toBe(
        `AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/app/${w.instanceId} is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:${REGION}:123456789012:parameter/app/secret/key because no identity-based policy allows it`,
      );
      expect(await denial(w.asInstance.ec2.send(new DescribeInstancesCommand({})))).toBe("allowed");
      expect(await denial(w.asInstance.ec2.send(new DescribeSubnetsCommand({})))).toMatch(
        /^UnauthorizedOperation: .* ec2:DescribeSubnets on resource: \* because no identity-based policy allows it$/,
      );
      // The operator (OpenTofu, the specs) is not restricted.
      expect(await denial(w.admin.ec2.send(new DescribeSubnetsCommand({})))).toBe("allowed");
      const logged = (await (await fetch(`${w.emulator.url}/moto-lab/iam`)).json()) as {
        allowed: { action: string; resource: string }[];
        denied: { action: string }[];
      };
      expect(logged.denied.map((d) => d.action)).toEqual(["ssm:GetParameter", "ec2:DescribeSubnets"]);
      expect(logged.allowed).toEqual([
        {
          role: "app",
          action: "ssm:GetParameter",
          resource: `arn:aws:ssm:${REGION}:123456789012:parameter/app/allowed/token`,
        },
        { role: "app", action: "ec2:DescribeInstances", resource: "*" },
      ]);
    } finally {
      await close(w);
    }
  });

  test("an explicit deny wins, and a condition on the resource's tags is evaluated on each resource", async () => {
    const w = await world({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ssm:GetParameter", Resource: "*" },
        { Effect: "Deny", Action: "ssm:GetParameter", Resource: "arn:aws:ssm:*:*:parameter/app/secret/*" },
        // As the bastion's role: any interface, but only instances of its own group.
        {
          Effect: "Allow",
          Action: "ec2:AttachNetworkInterface",
          Resource: "arn:aws:ec2:*:*:network-interface/*",
        },
        {
          Effect: "Allow",
          Action: "ec2:AttachNetworkInterface",
          Resource: "arn:aws:ec2:*:*:instance/*",
          Condition: { StringEquals: { "aws:ResourceTag/team": "blue" } },
        },
      ],
    });
    try {
      expect(
        await denial(w.asInstance.ssm.send(new GetParameterCommand({ Name: "/app/allowed/token" }))),
      ).toBe("allowed");
      expect(
        await denial(w.asInstance.ssm.send(new GetParameterCommand({ Name: "/app/secret/key" }))),
      ).toMatch(/parameter\/app\/secret\/key because an explicit deny in an identity-based policy$/);
      const instance = (await w.admin.ec2.send(new DescribeInstancesCommand({ InstanceIds: [w.instanceId] })))
        .Reservations?.[0]?.Instances?.[0];
      const eni = (
        await w.admin.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: instance?.SubnetId ?? "" }))
      ).NetworkInterface?.NetworkInterfaceId;
      const attach = () =>
        w.asInstance.ec2.send(
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: eni,
            InstanceId: w.instanceId,
            DeviceIndex: 1,
          }),
        );
      const tag = (team: string) =>
        w.admin.ec2.send(
          new CreateTagsCommand({ Resources: [w.instanceId], Tags: [{ Key: "team", Value: team }] }),
        );
      await tag("red");
      expect(await denial(attach())).toMatch(
        new RegExp(
          `ec2:AttachNetworkInterface on resource: arn:aws:ec2:${REGION}:123456789012:instance/${w.instanceId} because no identity-based policy allows it$`,
        ),
      );
      await tag("blue");
      expect(await denial(attach())).toBe("allowed");
    } finally {
      await close(w);
    }
  });

  test("an instance that names its own interface still carries its template's IMDSv2 and profile, as on AWS", async () => {
    const w = await world({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }],
    });
    try {
      const subnet = (await w.admin.ec2.send(new DescribeInstancesCommand({ InstanceIds: [w.instanceId] })))
        .Reservations?.[0]?.Instances?.[0]?.SubnetId;
      const eni = (await w.admin.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet ?? "" })))
        .NetworkInterface?.NetworkInterfaceId;
      await w.admin.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: "node",
          LaunchTemplateData: {
            ImageId: (await w.admin.ec2.send(new DescribeInstancesCommand({ InstanceIds: [w.instanceId] })))
              .Reservations?.[0]?.Instances?.[0]?.ImageId,
            InstanceType: "t4g.micro",
            IamInstanceProfile: { Name: "app-profile" },
            MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
          },
        }),
      );
      const run = await w.admin.ec2.send(
        new RunInstancesCommand({
          MinCount: 1,
          MaxCount: 1,
          LaunchTemplate: { LaunchTemplateName: "node" },
          NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: eni }],
        }),
      );
      const node = run.Instances?.[0];
      const described = (
        await w.admin.ec2.send(new DescribeInstancesCommand({ InstanceIds: [node?.InstanceId ?? ""] }))
      ).Reservations?.[0]?.Instances?.[0];
      expect(described?.MetadataOptions?.HttpTokens, "IMDSv2 as the template requires").toBe("required");
      expect(described?.IamInstanceProfile?.Arn, "the template's profile").toMatch(
        /instance-profile\/app-profile$/,
      );
    } finally {
      await close(w);
    }
  });

  test("a condition the lab cannot evaluate is never taken as met, and a call it cannot map is refused", async () => {
    const w = await world({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "ec2:*",
          Resource: "*",
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        },
        { Effect: "Allow", Action: "ec2:CreateVpc", Resource: "*" },
      ],
    });
    try {
      expect(await denial(w.asInstance.ec2.send(new DescribeSubnetsCommand({})))).toMatch(
        /because the lab cannot evaluate the condition IpAddress on aws:SourceIp$/,
      );
      expect(await denial(w.asInstance.ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" })))).toMatch(
        /because the lab has no resource mapping for ec2:CreateVpc/,
      );
    } finally {
      await close(w);
    }
  });
});

test.describe("the emulator's flow logs deliver only through a role that can", () => {
  test.skip(!existsSync(python), `moto is not installed (${python}): run npm run setup`);

  test("the service must be trusted to assume the role, and the role must write the group's streams", async () => {
    const emulator = await startEmulatorProcess();
    const config = {
      endpoint: emulator.url,
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: "lab", secretAccessKey: "lab" },
    };
    const ec2 = new EC2Client(config);
    const iam = new IAMClient(config);
    try {
      // moto answers CloudWatch Logs' JSON protocol; the kit has no Logs client of its own.
      const created = await fetch(emulator.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "Logs_20140328.CreateLogGroup",
          Authorization: `AWS4-HMAC-SHA256 Credential=lab/20260101/${REGION}/logs/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: JSON.stringify({ logGroupName: "/app/flows" }),
      });
      expect(created.status, "the log group is made").toBe(200);
      const group = `arn:aws:logs:${REGION}:123456789012:log-group:/app/flows`;
      const role = async (name: string, service: string, actions: string[], condition?: object) => {
        const trust = {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: service },
              Action: "sts:AssumeRole",
              ...(condition ? { Condition: condition } : {}),
            },
          ],
        };
        const arn = (
          await iam.send(
            new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }),
          )
        ).Role?.Arn;
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: name,
            PolicyName: "deliver",
            PolicyDocument: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: actions, Resource: `${group}:*` }],
            }),
          }),
        );
        return arn ?? "";
      };
      // A VPC of its own each: EC2 refuses a second flow log of the same shape.
      const delivery = async (roleArn: string) => {
        const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.8.0.0/16" }))).Vpc?.VpcId ?? "";
        const r = await ec2.send(
          new CreateFlowLogsCommand({
            ResourceIds: [vpc],
            ResourceType: "VPC",
            TrafficType: "ALL",
            LogDestinationType: "cloud-watch-logs",
            LogDestination: group,
            DeliverLogsPermissionArn: roleArn,
          }),
        );
        const id = r.FlowLogIds?.[0] ?? "";
        const fl = (await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [id] }))).FlowLogs?.[0];
        return `${fl?.DeliverLogsStatus ?? ""} ${fl?.DeliverLogsErrorMessage ?? ""}`.trim();
      };
      const writes = ["logs:CreateLogStream", "logs:PutLogEvents"];
      expect(
        await delivery(await role("trusts-ec2", "ec2.amazonaws.com", writes)),
        "a role the service cannot assume",
      ).toBe("FAILED Access error");
      expect(
        await delivery(await role("cannot-put", "vpc-flow-logs.amazonaws.com", ["logs:CreateLogStream"])),
        "a role that may not put events",
      ).toBe("FAILED Access error");
      expect(
        await delivery(await role("delivers", "vpc-flow-logs.amazonaws.com", writes)),
        "the kit's shape of role",
      ).toBe("SUCCESS");
      // AWS's recommended guard against a confused deputy, evaluated as the service sets it.
      const account = (id: string) => ({ StringEquals: { "aws:SourceAccount": id } });
      expect(
        await delivery(
          await role("this-account", "vpc-flow-logs.amazonaws.com", writes, account("123456789012")),
        ),
        "trusted for this account's flow logs",
      ).toBe("SUCCESS");
      expect(
        await delivery(
          await role("other-account", "vpc-flow-logs.amazonaws.com", writes, account("999999999999")),
        ),
        "trusted only for another account's",
      ).toBe("FAILED Access error");
    } finally {
      ec2.destroy();
      iam.destroy();
      await emulator.stop();
    }
  });
});
