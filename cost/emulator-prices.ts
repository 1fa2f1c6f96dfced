// The part of the one price table (prices.ts) the lab's emulator prices observed usage with,
// as the JSON file `lab up` hands it (MOTO_LAB_PRICES, read by lab/moto_lab.py). The
// emulator copies no number of its own: a type missing here is refused there, by name.
import { writeFileSync } from "node:fs";
import { HOURS_PER_MONTH, INSTANCE_HOUR, PRICES, PRICES_DATE, PRICES_REGION } from "./prices.ts";
import { SERVICES } from "./services.ts";

/** The environment variable that names the file for moto_lab.py. */
export const EMULATOR_PRICES_ENV = "MOTO_LAB_PRICES";

export interface EmulatorPrices {
  readonly source: string;
  readonly pricesDate: string;
  /** The only region the prices are for; usage elsewhere is refused. */
  readonly region: string;
  /** GB-month prices are spread over this many hours. */
  readonly hoursPerMonth: number;
  readonly instanceHourUsd: Readonly<Record<string, number>>;
  readonly ebsGbMonthUsd: Readonly<Record<string, number>>;
  readonly publicIpv4HourUsd: number;
  readonly natGatewayHourUsd: number;
  /** The service (as Cost Explorer names it) each kind of observed usage is billed under. */
  readonly services: Readonly<Record<"instance" | "volume" | "publicIpv4" | "natGateway", string>>;
}

export function emulatorPrices(): EmulatorPrices {
  return {
    source: "cost/prices.ts",
    pricesDate: PRICES_DATE,
    region: PRICES_REGION,
    hoursPerMonth: HOURS_PER_MONTH,
    instanceHourUsd: Object.fromEntries(Object.entries(INSTANCE_HOUR).map(([type, p]) => [type, p.usd])),
    ebsGbMonthUsd: { gp3: PRICES.gp3.usd },
    publicIpv4HourUsd: PRICES.publicIpv4.usd,
    natGatewayHourUsd: PRICES.natGatewayHour.usd,
    services: {
      instance: SERVICES.ec2Compute,
      volume: SERVICES.ec2Other,
      publicIpv4: SERVICES.vpc,
      natGateway: SERVICES.ec2Other,
    },
  };
}

/** Writes the emulator's prices to `file` and returns them. */
export function writeEmulatorPrices(file: string): EmulatorPrices {
  const prices = emulatorPrices();
  writeFileSync(file, `${JSON.stringify(prices, null, 2)}\n`);
  return prices;
}
