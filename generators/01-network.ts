// Generator 01 — the network layer (spec 01): the `network` OpenTofu module, and the
// `instance-schedule` module it shares with the nodes (04). Their HCL is plain files in
// 01-network/ and instance-schedule/; the model's values reach them through the roots.
import { NAT_CHOICES, NAT_SCHEDULES, type Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, rooted, type ModuleSpec } from "./module.ts";
import { sourceFile } from "./writers/source.ts";
import type { GeneratedFile, Generator } from "./types.ts";

const TEST = 1;

const network: ModuleSpec = {
  name: "network",
  test: TEST,
  source: "01-network",
  interfaceSlots: {
    from: "the model's choices (model/sections/network.ts)",
    slots: { nat_choices: NAT_CHOICES, nat_schedules: NAT_SCHEDULES },
  },
  files: Object.fromEntries(
    ["network.tf", "nat.tf", "nat-schedule.tf", "nat-instance.sh"].map((f) => [
      f,
      sourceFile({ test: TEST, source: `01-network/${f}` }),
    ]),
  ),
};

const instanceSchedule: ModuleSpec = {
  name: "instance-schedule",
  test: TEST,
  source: "instance-schedule",
  files: { "schedule.tf": sourceFile({ test: TEST, source: "instance-schedule/schedule.tf" }) },
};

/** The bastion's hours, which the network and nodes layers both keep. */
export const bastionHours = (model: Model) => ({
  schedule_start: rooted("bastion_schedule_start", model.bastion.schedule.start),
  schedule_stop: rooted("bastion_schedule_stop", model.bastion.schedule.stop),
  schedule_time_zone: rooted("bastion_schedule_time_zone", model.bastion.schedule.timeZone),
});

export const generator01: Generator = {
  test: TEST,
  name: "network",
  describe: "VPC, subnets, gateways, route tables and the NAT choice",
  layer(model: Model) {
    const n = model.network;
    return moduleLayer(network, {
      values: {
        name: model.project,
        vpc_cidr: n.vpcCidr,
        public_subnet_cidr: n.public.cidr,
        private_subnet_cidr: n.private.cidr,
        public_subnet_ipv6_index: n.public.ipv6Index,
        private_subnet_ipv6_index: n.private.ipv6Index,
        availability_zone: n.availabilityZone,
        nat: n.nat,
        nat_instance_type: n.natInstanceType,
        nat_instance_volume_size: n.natInstanceVolumeGb,
        nat_instance_ami_parameter: n.natInstanceAmiParameter,
        nat_schedule: n.natSchedule,
        ...bastionHours(model),
        tags: model.tags,
      },
    });
  },
  generate: (): GeneratedFile[] => [...moduleFiles(network), ...moduleFiles(instanceSchedule)],
};
