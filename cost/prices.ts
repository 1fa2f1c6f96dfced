// The cost model's one price table: eu-west-1 on-demand prices in USD, each with where it
// comes from and the date of that source, and the free-tier offers the profiles apply.
// Re-check a price before relying on it; change it here and nowhere else.
import { FREE_TIER_PROFILES, type FreeTierProfile } from "../model/index.ts";

export interface Price {
  readonly usd: number;
  readonly unit: string;
  /** The region the price is for; anything but eu-west-1 is a stand-in, said in `note`. */
  readonly region: string;
  readonly source: string;
  /** The date of the source (ISO), or the day it was read when it shows none. */
  readonly sourceDate: string;
  readonly note?: string;
}

const PL = (service: string) =>
  `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${service}/current/eu-west-1/index.json`;
const SKYPILOT = "github.com/skypilot-org/skypilot-catalog, catalogs/v8/aws/vms.csv (eu-west-1 rows)";

/** When this table was put together. */
export const PRICES_DATE = "2026-11-27";
export const PRICES_REGION = "eu-west-1";

/** Linux on-demand, per instance-hour. */
export const INSTANCE_HOUR: Readonly<Record<string, Price>> = {
  "t4g.nano": {
    usd: 0.0046,
    unit: "instance-hour",
    region: "eu-west-1",
    source: SKYPILOT,
    sourceDate: "2026-08",
  },
  "t4g.micro": {
    usd: 0.0092,
    unit: "instance-hour",
    region: "eu-west-1",
    source: SKYPILOT,
    sourceDate: "2026-08",
  },
  "t4g.small": {
    usd: 0.0184,
    unit: "instance-hour",
    region: "eu-west-1",
    source: SKYPILOT,
    sourceDate: "2026-08",
  },
  "m6g.xlarge": {
    usd: 0.172,
    unit: "instance-hour",
    region: "eu-west-1",
    source: SKYPILOT,
    sourceDate: "2026-08",
  },
  "m7g.xlarge": {
    usd: 0.1819,
    unit: "instance-hour",
    region: "eu-west-1",
    source: SKYPILOT,
    sourceDate: "2026-08",
  },
  "c7g.xlarge": {
    usd: 0.155,
    unit: "instance-hour",
    region: "eu-west-1",
    source: SKYPILOT,
    sourceDate: "2026-08",
  },
};

export const PRICES = {
  gp3: {
    usd: 0.088,
    unit: "GB-month",
    region: "eu-west-1",
    source: PL("AmazonEC2"),
    sourceDate: "2026-08-06",
  },
  publicIpv4: {
    usd: 0.005,
    unit: "address-hour (in use or idle)",
    region: "eu-west-1",
    source: PL("AmazonVPC"),
    sourceDate: "2026-07-10",
  },
  natGatewayHour: {
    usd: 0.048,
    unit: "gateway-hour",
    region: "eu-west-1",
    source: PL("AmazonEC2"),
    sourceDate: "2026-09-25",
  },
  natGatewayGb: {
    usd: 0.048,
    unit: "GB processed",
    region: "eu-west-1",
    source: PL("AmazonEC2"),
    sourceDate: "2026-09-25",
  },
  cloudwatchLogsStorage: {
    usd: 0.03,
    unit: "GB-month",
    region: "eu-west-1",
    source: PL("AmazonCloudWatch"),
    sourceDate: "2026-09-11",
  },
  flowLogsToCloudWatch: {
    usd: 0.5,
    unit: "GB ingested (vended logs, first 10 TB)",
    region: "us-east-1",
    source: "https://aws.amazon.com/cloudwatch/pricing/",
    sourceDate: "2026-11-27",
    note: "no eu-west-1 figure found; the us-east-1 vended-logs rate stands in",
  },
  s3Standard: {
    usd: 0.023,
    unit: "GB-month",
    region: "eu-west-1",
    source: PL("AmazonS3"),
    sourceDate: "2026-09-11",
  },
  s3Put: {
    usd: 0.005,
    unit: "1,000 PUT requests",
    region: "eu-west-1",
    source: PL("AmazonS3"),
    sourceDate: "2026-09-11",
  },
  s3Get: {
    usd: 0.0004,
    unit: "1,000 GET requests",
    region: "eu-west-1",
    source: PL("AmazonS3"),
    sourceDate: "2026-09-11",
  },
  dataOut: {
    usd: 0.09,
    unit: "GB out to the internet beyond the free 100 GB/month",
    region: "eu-west-1",
    source: PL("AWSDataTransfer"),
    sourceDate: "2026-09",
  },
  ssmStandardParameter: {
    usd: 0,
    unit: "standard-tier parameter-month",
    region: "all",
    source:
      "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
    sourceDate: "2026-11-27",
  },
  schedulerInvocations: {
    usd: 0,
    unit: "invocation within the free 14 million a month",
    region: "us-east-1",
    source: "https://cloudburn.io/blog/amazon-eventbridge-pricing",
    sourceDate: "2026-03",
    note: "the same in most regions; a schedule or two a day stays far inside the free amount",
  },
  budgetMonitoring: {
    usd: 0,
    unit: "monitoring-only budget",
    region: "global",
    source:
      "github.com/aws/agent-toolkit-for-aws, skills/core-skills/aws-billing-and-cost-management/references/budgets.md",
    sourceDate: "2026-05-11",
    note: "budgets with actions: the first two free, then $0.10 a day each",
  },
  costExplorerRequest: {
    usd: 0.01,
    unit: "Cost Explorer API request",
    region: "global",
    source: "https://aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing/",
    sourceDate: "2026-11-27",
  },
} as const satisfies Record<string, Price>;

/** Hours in the average month (365 × 24 / 12), the unit AWS's monthly figures use. */
export const HOURS_PER_MONTH = 730;

/** A free-tier offer: what it covers per month, until when, and where that is written. */
export interface FreeOffer {
  readonly what: string;
  readonly until: string | null;
  readonly source: string;
  readonly sourceDate: string;
}

export const FREE_OFFERS = {
  /** The t4g.small trial: 750 instance-hours a month, extended to the end of 2026. */
  t4gSmallTrial: {
    what: "750 t4g.small instance-hours a month (in the default unlimited mode, CPU credits above the baseline are charged)",
    until: "2026-12-31",
    source: "https://dev.classmethod.jp/articles/ec2-t4g-small-free-tier-2026/ (checked against a bill)",
    sourceDate: "2026-01",
  },
  /** The legacy 12-month free tier of accounts opened before 2025-07-15. */
  legacyEbs: {
    what: "30 GB-month of EBS (gp2/gp3/magnetic), 1 GB of snapshots",
    until: "12 months after the account opened",
    source: "https://freetier.co/articles/aws-free-tier-changes-july-15-2025 (and a user's bill on re:Post)",
    sourceDate: "2025-07",
  },
  legacyPublicIpv4: {
    what: "750 hours a month of in-use public IPv4 on EC2",
    until: "12 months after the account opened",
    source: "https://repost.aws/articles/ARknH_OR0cTvqoTfJrVGaB8A",
    sourceDate: "2026-07-10",
  },
  dataOut: {
    what: "100 GB a month of data out to the internet, all services and regions together",
    until: null,
    source: PL("AWSDataTransfer"),
    sourceDate: "2026-09",
  },
} as const satisfies Record<string, FreeOffer>;

/** Which offers apply: none, the t4g.small trial, the legacy 12-month tier, or both. */
export { FREE_TIER_PROFILES, type FreeTierProfile };

export function offersOf(profile: FreeTierProfile): {
  trial: boolean;
  legacy: boolean;
} {
  return { trial: profile === "trial" || profile === "trial+legacy", legacy: profile.includes("legacy") };
}
