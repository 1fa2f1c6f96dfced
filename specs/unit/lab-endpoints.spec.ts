// The lab root's provider sends every call to the emulator only for the services listed
// under its `endpoints`; a resource of any other service would have the provider reach for
// real AWS from the host. This holds the list to what the modules use, so a new resource
// type cannot slip past it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { REPO_ROOT } from "../../model/index.ts";

// The provider's endpoint key for each type (hashicorp/terraform-provider-aws: a type lives
// under internal/service/<key>/, and `endpoints { <key> = … }` redirects that package).
// null: the provider answers it without a call.
const ENDPOINT: Readonly<Record<string, string | null>> = {
  ...Object.fromEntries(
    [
      "aws_ami",
      "aws_default_security_group",
      "aws_ebs_encryption_by_default",
      "aws_egress_only_internet_gateway",
      "aws_eip",
      "aws_flow_log",
      "aws_instance",
      "aws_internet_gateway",
      "aws_key_pair",
      "aws_launch_template",
      "aws_nat_gateway",
      "aws_network_interface",
      "aws_route",
      "aws_route_table",
      "aws_route_table_association",
      "aws_security_group",
      "aws_subnet",
      "aws_vpc",
      "aws_vpc_security_group_egress_rule",
      "aws_vpc_security_group_ingress_rule",
    ].map((t) => [t, "ec2"]),
  ),
  aws_autoscaling_group: "autoscaling",
  aws_autoscaling_schedule: "autoscaling",
  aws_budgets_budget: "budgets",
  aws_caller_identity: "sts",
  aws_cloudwatch_log_group: "logs",
  aws_iam_instance_profile: "iam",
  aws_iam_role: "iam",
  aws_iam_role_policy: "iam",
  aws_scheduler_schedule: "scheduler",
  aws_ssm_parameter: "ssm",
  // The provider's own region, from its configuration; ec2 would serve a lookup.
  aws_region: "ec2",
  aws_iam_policy_document: null,
};

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");

/** Every aws_ resource and data source type in the generated modules. */
function moduleTypes(): string[] {
  const dir = join(REPO_ROOT, "infra", "modules");
  const types = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".tf"))
    .flatMap((f) => [
      ...read(join("infra", "modules", f)).matchAll(/^(?:resource|data) "(aws_[a-z0-9_]+)"/gm),
    ])
    .map((m) => m[1] ?? "");
  return [...new Set(types)].sort();
}

/** The services the lab root's provider sends to the emulator. */
function labEndpoints(providersTf: string): string[] {
  const block = /^ {2}endpoints \{\n([\s\S]*?)^ {2}\}/m.exec(providersTf)?.[1] ?? "";
  return [...block.matchAll(/^ {4}([a-z0-9]+) += "http:\/\/127\.0\.0\.1:\d+"$/gm)].map((m) => m[1] ?? "");
}

test("the lab's provider sends every service the modules use to the emulator, none to AWS", () => {
  const types = moduleTypes();
  expect(types.length, "the modules use aws_ types").toBeGreaterThan(10);
  const unmapped = types.filter((t) => !(t in ENDPOINT));
  expect(unmapped, "each type's endpoint key is known: add it to ENDPOINT in this spec").toEqual([]);
  const endpoints = labEndpoints(read("infra/lab/providers.tf"));
  const needed = [...new Set(types.map((t) => ENDPOINT[t]).filter((k): k is string => !!k))].sort();
  expect(
    needed.filter((k) => !endpoints.includes(k)),
    "every service the modules call has an endpoint in infra/lab/providers.tf (generators/roots/lab-providers.tf)",
  ).toEqual([]);
});

test("the endpoint reader finds what is there and misses what is not", () => {
  const tf =
    'provider "aws" {\n  endpoints {\n    ec2 = "http://127.0.0.1:4566"\n    sts = "http://127.0.0.1:4566"\n  }\n}\n';
  expect(labEndpoints(tf)).toEqual(["ec2", "sts"]);
  expect(labEndpoints(tf.replace('    sts = "http://127.0.0.1:4566"\n', ""))).toEqual(["ec2"]);
  expect(labEndpoints(tf.replace("127.0.0.1", "ec2.amazonaws.com")), "only the emulator counts").toEqual([
    "sts",
  ]);
});
