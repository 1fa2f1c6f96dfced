// The bastion section: the one instance, its fixed address, its hours and its operator.
import { readSchedule } from "../schedule.ts";
import { AL2023_ARM64 } from "./network.ts";
import { cidrContainsIp, cidrHost, cidrSize, parseIpv4, parseIpv6, parseIpv6Cidr } from "../net.ts";
import {
  cronProblem,
  isArmInstanceType,
  isGlobalUnicast6,
  isTimeZone,
  sshKeyProblem,
  type Places,
  type Rules,
} from "../rules.ts";
import type { Model } from "../types.ts";

export interface ScheduleModel {
  /** Cron recurrence (minute hour day month weekday, read in `timeZone`) that starts the bastion. */
  readonly start: string;
  /** Cron recurrence that stops it. */
  readonly stop: string;
  /** IANA time zone the recurrences are read in. */
  readonly timeZone: string;
  /** How many hours a day the schedule is meant to give (SPEC §5: about 5); start and stop must agree. */
  readonly targetHoursPerDay: number;
}

export interface BastionModel {
  readonly name: string;
  readonly asgName: string;
  /** Fixed private address inside the private subnet. */
  readonly privateIp: string;
  readonly instanceType: string;
  /** Root volume in GiB (gp3, encrypted); the caches live on it. */
  readonly rootVolumeGb: number;
  /** SSM public parameter naming the bastion's AMI (Amazon Linux 2023, arm64). */
  readonly amiParameter: string;
  readonly schedule: ScheduleModel;
  /**
   * The operator's home IPv6 address as a /128: the only source SSH is allowed from.
   * No default: null until you set it (the aws target refuses to run without it; the lab
   * uses its own home namespace's address instead).
   */
  readonly operatorIpv6Cidr: string | null;
  /**
   * The operator's OpenSSH public key (one line). Null until you set it: the aws target
   * needs it; the lab makes a key pair of its own in its state directory.
   */
  readonly sshPublicKey: string | null;
  /** The login user of the bastion's image (ec2-user on Amazon Linux). */
  readonly sshUser: string;
}

export const BASTION_DEFAULTS: BastionModel = {
  name: "tf-bastion",
  asgName: "tf-asg",
  privateIp: "10.20.13.140",
  // 1 GiB: the eight services in containers on Amazon Linux 2023 (measured in docs/decisions.md);
  // the smallest Graviton type the free plan also accepts (t4g.nano is refused there).
  instanceType: "t4g.micro",
  // The AMI's own snapshot size: the caches are cold each session (the group terminates
  // the instance and its volume), so a bigger disk buys nothing between sessions.
  rootVolumeGb: 8,
  amiParameter: AL2023_ARM64,
  // What $0.10 a month buys with no free tier: one hour every Saturday morning, at most five
  // a month (docs/decisions.md). The seed's evenings, 18:00 to 23:00 every day, are
  // { start: "0 18 * * *", stop: "0 23 * * *", targetHoursPerDay: 5 }: `npm run cost` prices both.
  schedule: { start: "0 10 * * 6", stop: "0 11 * * 6", timeZone: "Europe/Paris", targetHoursPerDay: 1 / 7 },
  operatorIpv6Cidr: null,
  sshPublicKey: null,
  sshUser: "ec2-user",
};

/** The bastion: address in the private subnet, Graviton type, hours, the operator's address and key. */
export function bastionRules(model: Model, r: Rules, at: Places): void {
  const { add } = r;
  const { priv } = at;
  const net = model.network;
  const b = model.bastion;
  const ip = parseIpv4(b.privateIp);
  if (ip === undefined)
    add("bastion.privateIp", b.privateIp, "is not an IPv4 address", "write it as a.b.c.d");
  else if (priv && !cidrContainsIp(priv, ip))
    add(
      "bastion.privateIp",
      b.privateIp,
      `is outside the private subnet ${net.private.cidr}`,
      `pick an address inside ${net.private.cidr}`,
    );
  else if (priv && (ip - priv.base < 4 || ip === priv.base + cidrSize(priv) - 1))
    add(
      "bastion.privateIp",
      b.privateIp,
      "is one of the five addresses AWS reserves in every subnet",
      `pick from ${cidrHost(priv, 4)} to ${cidrHost(priv, -2)}`,
    );
  if (!isArmInstanceType(b.instanceType))
    add(
      "bastion.instanceType",
      b.instanceType,
      "is not an ARM64 (Graviton) instance type",
      "use a Graviton type such as t4g.small",
    );
  for (const key of ["start", "stop"] as const) {
    const why = cronProblem(b.schedule[key]);
    if (why)
      add(
        `bastion.schedule.${key}`,
        b.schedule[key],
        `is not a valid recurrence: ${why}`,
        'use cron syntax, e.g. "0 18 * * *"',
      );
  }
  const reading =
    (cronProblem(b.schedule.start) ?? cronProblem(b.schedule.stop))
      ? undefined
      : readSchedule(b.schedule.start, b.schedule.stop);
  if (typeof reading === "string")
    add(
      "bastion.schedule",
      `${b.schedule.start} → ${b.schedule.stop}`,
      `cannot be read as a daily window: ${reading}`,
      'give start and stop one fixed time each, e.g. "0 18 * * *" and "0 23 * * *"',
    );
  else if (reading && Math.abs(reading.hoursPerDay - b.schedule.targetHoursPerDay) > 0.5)
    add(
      "bastion.schedule",
      `${b.schedule.start} → ${b.schedule.stop}`,
      `gives ${reading.hoursPerDay.toFixed(2)} hours a day, not the ${b.schedule.targetHoursPerDay} of bastion.schedule.targetHoursPerDay`,
      "move start or stop, or change targetHoursPerDay",
    );
  if (!(b.schedule.targetHoursPerDay > 0 && b.schedule.targetHoursPerDay <= 24))
    add(
      "bastion.schedule.targetHoursPerDay",
      b.schedule.targetHoursPerDay,
      "is not a number of hours in a day",
      "use a number from 1 to 24, e.g. 5",
    );
  if (b.operatorIpv6Cidr !== null) {
    const op = parseIpv6Cidr(b.operatorIpv6Cidr);
    const address = op ? parseIpv6(op.address) : undefined;
    if (!op || op.prefix !== 128 || address === 0n)
      add(
        "bastion.operatorIpv6Cidr",
        b.operatorIpv6Cidr,
        "is not one IPv6 address as a /128: SSH is allowed from exactly one address",
        'write your home address with /128, e.g. "2001:db8:ab::10/128" (`curl -6 ifconfig.co` tells it)',
      );
    else if (address !== undefined && !isGlobalUnicast6(address))
      add(
        "bastion.operatorIpv6Cidr",
        b.operatorIpv6Cidr,
        "is not a global unicast address (loopback, link-local, unique-local, multicast or mapped IPv4): no packet from the internet comes from it",
        "write your home's public IPv6 address, as `curl -6 ifconfig.co` prints it, with /128",
      );
  }
  if (b.sshPublicKey !== null && sshKeyProblem(b.sshPublicKey))
    add(
      "bastion.sshPublicKey",
      b.sshPublicKey.length > 40 ? `${b.sshPublicKey.slice(0, 40)}…` : b.sshPublicKey,
      `is not an OpenSSH public key: ${sshKeyProblem(b.sshPublicKey) ?? ""}`,
      'paste one line of your ~/.ssh/id_ed25519.pub, e.g. "ssh-ed25519 AAAAC3Nza… you@home"',
    );
  if (!Number.isInteger(b.rootVolumeGb) || b.rootVolumeGb < 8 || b.rootVolumeGb > 256)
    add(
      "bastion.rootVolumeGb",
      b.rootVolumeGb,
      "is not a root volume size the bastion can use",
      "use 8-256 GiB (the legacy free tier covers 30 GiB of EBS in all)",
    );
  if (!b.amiParameter.startsWith("/aws/service/"))
    add(
      "bastion.amiParameter",
      b.amiParameter,
      "is not an AWS public SSM parameter",
      "use a path under /aws/service/",
    );
  const zone = b.schedule.timeZone;
  if (!isTimeZone(zone))
    add(
      "bastion.schedule.timeZone",
      zone,
      "is not an IANA time zone",
      'use a name such as "Europe/Paris" or "UTC"',
    );
  else {
    // ICU accepts any case; EventBridge Scheduler and the Auto Scaling schedule want the
    // IANA name as written (https://data.iana.org/time-zones/tz-link.html).
    const canonical = new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    if (canonical !== zone && canonical.toLowerCase() === zone.toLowerCase())
      add(
        "bastion.schedule.timeZone",
        zone,
        "is an IANA time zone in the wrong case",
        `write it as "${canonical}"`,
      );
  }
}
