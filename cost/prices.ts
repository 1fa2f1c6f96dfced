// The cost model's one price table: eu-west-1 on-demand prices in USD, each with where it
// comes from and the date of that source, and AWS's offers as dated facts: who gets each,
// from when to when, and what it covers. Which offers apply in a month follows from the
// model's account (`offersFor`), never from a choice. Re-check a price or an offer before
// relying on it; change it here and nowhere else.
import {
  CREDITS_ACCOUNTS_FROM,
  isCreditsAccount,
  readOpening,
  type AccountModel,
  type AccountPlan,
} from "../model/index.ts";

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
    usd: 0.57,
    unit: "GB ingested (vended logs, first 10 TB)",
    region: "eu-west-1",
    source: `${PL("AmazonCloudWatch")} (log ingestion, SKU KJBTQPDHW2H92B8Y, effective 2026-03-01)`,
    sourceDate: "2026-03-01",
    note:
      "$0.57/GB is eu-west-1's standard log ingestion in AWS's price list, read through secondary captures " +
      "(a pricing-API appendix naming the SKU; infracost's catalog for aws_cloudwatch_log_group prints the same); " +
      "the vended-logs row itself was not read: its first-10-TB tier equals standard ingestion in us-east-1 " +
      "($0.50 both) and is taken to do so in eu-west-1",
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

/** The free quantities offers give a month, pooled across resources as the bill pools usage. */
export type FreePool = "instance:t4g.small" | "ebs" | "publicIpv4:ec2" | "dataOutGb";

/**
 * An AWS offer as a dated fact: which accounts get it (by when they were opened and their
 * plan), the dates it runs (calendar dates, months from the opening, or both; its end is
 * data here, never code), what it gives (free quantities a month, credits) and, for the
 * free plan, what it refuses.
 */
export interface Offer {
  readonly name: string;
  readonly what: string;
  /** All accounts, those opened before 2025-07-15 (legacy), or those opened from then (credits). */
  readonly accounts: "all" | "legacy" | "credits";
  readonly plans: readonly AccountPlan[];
  /** The first and the last day it runs (ISO dates, inclusive), where it has them. */
  readonly from?: string;
  readonly until?: string;
  /** Months it runs from the account's opening; its last month is the one the anniversary falls in. */
  readonly monthsFromOpening?: number;
  /** Free quantities a month, by pool. */
  readonly free?: Readonly<Partial<Record<FreePool, number>>>;
  /** Credits given once, spent on the bill until they run out or the offer ends. */
  readonly creditsUsd?: number;
  /** The only instance types the plan launches (the free plan refuses any other). */
  readonly instanceTypes?: readonly string[];
  /** An always-free allowance: every account, every month, listed for the record. */
  readonly alwaysFree?: boolean;
  readonly source: string;
  /** The date of the source (ISO), or the day it was read when it shows none. */
  readonly sourceDate: string;
  /** What is not certain about it, and what the bill assumes. */
  readonly note?: string;
}

const FREE_PLAN_PAGE = "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/free-tier-plans.html";
const FREE_TERMS = "https://aws.amazon.com/free/terms/ (updated 2025-07-09)";
const SECONDARY =
  "read through secondary captures (freetier.co/articles/aws-free-tier-changes-july-15-2025, 2025-07; research notes quoting AWS's pages, checked 2026-09-25), not from AWS's pages directly";

export const OFFERS = {
  t4gSmallTrial: {
    name: "t4g.small trial",
    what: "750 t4g.small instance-hours a month (in the default unlimited mode, CPU credits above the baseline are charged)",
    accounts: "all",
    plans: ["paid", "free"],
    until: "2026-12-31",
    free: { "instance:t4g.small": 750 },
    source:
      "https://dev.classmethod.jp/articles/ec2-t4g-small-free-tier-2026/ (checked against a bill, CUR 2.0)",
    sourceDate: "2026-01",
    note: "extended a year at a time since 2020, the latest (announced 2025-12) to 2026-12-31: a new extension changes `until` here and nothing else; whether a free-plan account draws it before its credits is not confirmed",
  },
  legacy12Month: {
    name: "legacy 12-month tier",
    what: "for 12 months from the opening: 30 GB-month of EBS (gp2/gp3/magnetic) and 1 GB of snapshots, 750 hours a month of in-use public IPv4 on EC2 (not a NAT gateway's address, not an idle Elastic IP), 750 t2.micro or t3.micro instance-hours a month (the kit runs neither, so that pool is not kept)",
    accounts: "legacy",
    plans: ["paid"],
    monthsFromOpening: 12,
    free: { ebs: 30, "publicIpv4:ec2": 750 },
    source:
      "https://freetier.co/articles/aws-free-tier-changes-july-15-2025; https://repost.aws/articles/ARknH_OR0cTvqoTfJrVGaB8A (public IPv4); https://repost.aws/questions/QUFrEFiRJYRQy45SoFEbfkiA (t2/t3.micro)",
    sourceDate: "2026-07-10",
    note: "AWS ends it 12 months after the day the account was activated; the model knows the month, so the month the anniversary falls in is counted as covered (its bill may be low by the part of that month after the anniversary)",
  },
  signUpCredits: {
    name: "sign-up credits",
    what: "$100 of credits at sign-up, spent on the bill before the card, for 12 months from the opening; up to $100 more for five activities ($20 each: launch an EC2 instance, try a Bedrock playground model, create a budget, a Lambda web app, an RDS database, within the first 6 months) is not counted",
    accounts: "credits",
    plans: ["paid", "free"],
    monthsFromOpening: 12,
    creditsUsd: 100,
    source: `${FREE_TERMS}; ${FREE_PLAN_PAGE}`,
    sourceDate: "2025-07-09",
    note: `${SECONDARY}. The kit cannot see what was spent before this month: the balance is taken whole at its start. AWS Organizations or Control Tower upgrades an account and its credits expire at once`,
  },
  freePlan: {
    name: "free plan",
    what: "no charges: credits pay everything; the plan ends 6 months after the opening or when the credits run out, whichever is first, and the account then closes unless upgraded to the paid plan (AWS keeps it 90 days)",
    accounts: "credits",
    plans: ["free"],
    monthsFromOpening: 6,
    instanceTypes: ["t3.micro", "t3.small", "t4g.micro", "t4g.small", "c7i-flex.large", "m7i-flex.large"],
    source: `${FREE_PLAN_PAGE}; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-free-tier-usage.html`,
    sourceDate: "2025-07-15",
    note: `${SECONDARY}. It refuses instance types outside the free-tier-eligible list (t4g.nano and the session's m7g.xlarge among them; some regions add t8i.micro/small), Savings Plans, Reserved Instances and some Marketplace offers; only always-free offers run besides the credits`,
  },
  dataOut: {
    name: "100 GB out",
    what: "100 GB a month of data out to the internet, all services and regions together",
    accounts: "all",
    plans: ["paid", "free"],
    free: { dataOutGb: 100 },
    alwaysFree: true,
    source:
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSDataTransfer/current/eu-west-1/index.json",
    sourceDate: "2026-09",
  },
  schedulerInvocations: {
    name: "EventBridge Scheduler",
    what: "14 million scheduler invocations a month",
    accounts: "all",
    plans: ["paid", "free"],
    alwaysFree: true,
    source: "https://cloudburn.io/blog/amazon-eventbridge-pricing",
    sourceDate: "2026-03",
  },
  ssmStandardParameters: {
    name: "SSM standard parameters",
    what: "standard-tier Parameter Store parameters and their standard throughput have no charge",
    accounts: "all",
    plans: ["paid", "free"],
    alwaysFree: true,
    source:
      "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
    sourceDate: "2026-11-27",
  },
  budgets: {
    name: "AWS Budgets",
    what: "monitoring budgets have no charge; the first two action-enabled budgets neither, then $0.10 a day each",
    accounts: "all",
    plans: ["paid", "free"],
    alwaysFree: true,
    source:
      "github.com/aws/agent-toolkit-for-aws, skills/core-skills/aws-billing-and-cost-management/references/budgets.md",
    sourceDate: "2026-05-11",
  },
  cloudwatchLogs: {
    name: "CloudWatch Logs 5 GB (not for flow logs)",
    what: "5 GB a month of log data ingested, archived and scanned",
    accounts: "all",
    plans: ["paid", "free"],
    alwaysFree: true,
    source:
      "https://aws.amazon.com/cloudwatch/pricing/; a bill's lines (github.com/hylang/hy/files/7528529/billing.pdf): 'First 5GB per month of log data ingested is free' under PutLogEvents",
    sourceDate: "2021-11",
    note: "not applied to the flow log: the sources show it against PutLogEvents (logs an application sends) and log storage, and none read says it covers vended logs, which VPC flow logs are (billed as VendedLog-Bytes); the bill prices their ingestion and storage in full",
  },
} as const satisfies Record<string, Offer>;

/** Months since year 0, to count months between two "YYYY-MM". */
const monthIndex = (month: string): number => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const monthAt = (index: number): string =>
  `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;

/** The month `n` months after a "YYYY-MM". */
export function addMonths(month: string, n: number): string {
  return monthAt(monthIndex(month) + n);
}

/** The last month an offer runs for an account ("YYYY-MM"), or null when it has no end. */
export function lastMonthOf(offer: Offer, account: AccountModel): string | null {
  const opening = readOpening(account.opened);
  const ends = [
    ...(offer.until ? [offer.until.slice(0, 7)] : []),
    ...(offer.monthsFromOpening !== undefined && opening
      ? [addMonths(opening.month, offer.monthsFromOpening)]
      : []),
  ].sort();
  return ends[0] ?? null;
}

/**
 * The offers that apply to an account in a calendar month ("YYYY-MM"), from the table above:
 * the account's era (opened before or from 2025-07-15) and plan, and the dates each runs.
 */
export function offersFor(account: AccountModel, month: string): Offer[] {
  const opening = readOpening(account.opened);
  if (!opening) throw new Error(`budget.account.opened ${account.opened} is not a month as YYYY-MM`);
  const era = isCreditsAccount(account) ? "credits" : "legacy";
  const all: readonly Offer[] = Object.values(OFFERS);
  return all.filter((o) => {
    if (o.accounts !== "all" && o.accounts !== era) return false;
    if (!o.plans.includes(account.plan)) return false;
    if (o.from && `${month}-31` < o.from) return false;
    if (o.until && `${month}-01` > o.until) return false;
    const since = monthIndex(month) - monthIndex(opening.month);
    if (o.monthsFromOpening !== undefined && (since < 0 || since > o.monthsFromOpening)) return false;
    return true;
  });
}

/** The free quantities of a month's offers, pooled. */
export function freePools(offers: readonly Offer[]): Map<FreePool, number> {
  const pools = new Map<FreePool, number>();
  for (const o of offers)
    for (const [pool, quantity] of Object.entries(o.free ?? {}) as [FreePool, number][])
      pools.set(pool, (pools.get(pool) ?? 0) + quantity);
  return pools;
}

export { CREDITS_ACCOUNTS_FROM };
