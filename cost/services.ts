// Which AWS service bills each resource type of a plan, as Cost Explorer names it, and the
// services the baseline must never use. Every resource type the kit generates is listed:
// a type that is not cannot be priced, so the cost model refuses the plan rather than
// guess it is free.

/** Service names exactly as Cost Explorer's SERVICE dimension spells them. */
export const SERVICES = {
  ec2Compute: "Amazon Elastic Compute Cloud - Compute",
  ec2Other: "EC2 - Other",
  vpc: "Amazon Virtual Private Cloud",
  cloudwatch: "AmazonCloudWatch",
  s3: "Amazon Simple Storage Service",
  eventBridge: "Amazon EventBridge",
  budgets: "AWS Budgets",
  iam: "AWS Identity and Access Management",
  ssm: "AWS Systems Manager",
  autoScaling: "Auto Scaling",
  // Not from the plan: spec 08's own requests on a real account ($0.01 each), and the tax on the rest.
  costExplorer: "AWS Cost Explorer",
  tax: "Tax",
} as const;
export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

export interface ResourceTypeCost {
  readonly service: ServiceName;
  /** priced: the cost model turns it into line items; free: it has no charge of its own. */
  readonly billing: "priced" | "free";
  /** For free types: why nothing is charged. */
  readonly why?: string;
}

const free = (service: ServiceName, why: string): ResourceTypeCost => ({ service, billing: "free", why });
const priced = (service: ServiceName): ResourceTypeCost => ({ service, billing: "priced" });
const NETWORK = "part of the VPC: no charge of its own";

/** Every resource type the generated OpenTofu uses. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeCost>> = {
  aws_instance: priced(SERVICES.ec2Compute),
  aws_autoscaling_group: priced(SERVICES.ec2Compute),
  aws_ebs_volume: priced(SERVICES.ec2Other),
  aws_nat_gateway: priced(SERVICES.ec2Other),
  aws_eip: priced(SERVICES.vpc),
  aws_flow_log: priced(SERVICES.cloudwatch),
  aws_cloudwatch_log_group: priced(SERVICES.cloudwatch),
  aws_vpc: free(SERVICES.vpc, NETWORK),
  aws_subnet: free(SERVICES.vpc, NETWORK),
  aws_route: free(SERVICES.vpc, NETWORK),
  aws_route_table: free(SERVICES.vpc, NETWORK),
  aws_route_table_association: free(SERVICES.vpc, NETWORK),
  aws_internet_gateway: free(SERVICES.vpc, NETWORK),
  aws_egress_only_internet_gateway: free(SERVICES.vpc, NETWORK),
  aws_security_group: free(SERVICES.vpc, NETWORK),
  aws_default_security_group: free(SERVICES.vpc, NETWORK),
  aws_vpc_security_group_ingress_rule: free(SERVICES.vpc, NETWORK),
  aws_vpc_security_group_egress_rule: free(SERVICES.vpc, NETWORK),
  aws_network_interface: free(
    SERVICES.vpc,
    "an interface is free; a public address on it is priced as aws_eip",
  ),
  aws_launch_template: free(SERVICES.ec2Compute, "a template costs nothing until it launches something"),
  aws_key_pair: free(SERVICES.ec2Compute, "key pairs are free"),
  aws_ebs_encryption_by_default: free(SERVICES.ec2Other, "an account setting; the AWS-managed key is free"),
  aws_autoscaling_schedule: free(SERVICES.autoScaling, "Auto Scaling's own actions are free"),
  aws_scheduler_schedule: free(
    SERVICES.eventBridge,
    "two invocations a day, inside the free 14 million a month",
  ),
  aws_budgets_budget: free(SERVICES.budgets, "a monitoring-only budget is free"),
  aws_iam_role: free(SERVICES.iam, "IAM is free"),
  aws_iam_role_policy: free(SERVICES.iam, "IAM is free"),
  aws_iam_role_policy_attachment: free(SERVICES.iam, "IAM is free"),
  aws_iam_instance_profile: free(SERVICES.iam, "IAM is free"),
  aws_ssm_parameter: free(SERVICES.ssm, "standard-tier parameters are free"),
};

/** Services the always-on baseline has no business using (SPEC §4 row 08), by resource-type prefix. */
export const UNEXPECTED_SERVICES: readonly { readonly prefix: string; readonly service: string }[] = [
  { prefix: "aws_db_", service: "Amazon Relational Database Service" },
  { prefix: "aws_rds_", service: "Amazon Relational Database Service" },
  { prefix: "aws_lambda_", service: "AWS Lambda" },
  { prefix: "aws_ecs_", service: "Amazon Elastic Container Service" },
  { prefix: "aws_eks_", service: "Amazon Elastic Kubernetes Service" },
  { prefix: "aws_elasticache_", service: "Amazon ElastiCache" },
  { prefix: "aws_lb", service: "Elastic Load Balancing" },
  { prefix: "aws_alb", service: "Elastic Load Balancing" },
  { prefix: "aws_elb", service: "Elastic Load Balancing" },
  { prefix: "aws_opensearch_", service: "Amazon OpenSearch Service" },
  { prefix: "aws_redshift_", service: "Amazon Redshift" },
  { prefix: "aws_kms_key", service: "AWS Key Management Service" },
  { prefix: "aws_secretsmanager_", service: "AWS Secrets Manager" },
  { prefix: "aws_route53_zone", service: "Amazon Route 53" },
  { prefix: "aws_sagemaker_", service: "Amazon SageMaker" },
];

/** The services a plan's line items are billed under: the only ones Cost Explorer may show. */
export const EXPECTED_SERVICES: ReadonlySet<string> = new Set(Object.values(SERVICES));

export interface ResourceFinding {
  readonly address: string;
  readonly type: string;
  readonly problem: string;
}

/** Resources of unexpected services, and resource types the cost model does not know. */
export function unexpectedResources(
  resources: readonly { readonly address: string; readonly type: string }[],
): ResourceFinding[] {
  return resources.flatMap((r): ResourceFinding[] => {
    const bad = UNEXPECTED_SERVICES.find((u) => r.type.startsWith(u.prefix));
    if (bad) return [{ ...r, problem: `${bad.service} has no place in the baseline` }];
    if (!RESOURCE_TYPES[r.type])
      return [
        {
          ...r,
          problem:
            "the cost model does not know this resource type; add it to cost/services.ts with its price",
        },
      ];
    return [];
  });
}
