// Generator 02 — the bastion (spec 02): the `bastion` OpenTofu module (an ARM64 instance in
// an Auto Scaling group of at most one, started and stopped on a schedule, with a fixed
// address from a persistent network interface its boot script attaches) and that boot
// script, a file of its own. Everything here is read from the model.
import { derived, type Model } from "../model/index.ts";
import { bastionHours } from "./01-network.ts";
import { moduleFiles, moduleLayer, rooted, type ModuleSpec } from "./module.ts";
import { renderSource, sourceFile, type SourceFile } from "./writers/source.ts";
import { BUNDLE_DIR_ON_BASTION } from "./03-netboot.ts";
import type { GeneratedFile, Generator, RootTarget } from "./types.ts";

const TEST = 2;
/** The tag that marks the fixed interface for the group whose instance attaches it. */
export const ENI_TAG = "moon-and-back:bastion-of";
/** The tag that names, on the bastion, the budget its hard cap checks. */
export const BUDGET_TAG = "moon-and-back:budget";
/** The boundary of the user data's MIME parts (cloud-config, then the boot script). */
export const MIME_BOUNDARY = "MOON-AND-BACK-USER-DATA";

/** The bastion's HCL and boot script with the names the lab and the specs also read. */
function bastionSource(file: "bastion.tf" | "bastion-boot.sh"): SourceFile {
  const slots: Record<string, string> = {
    bundle_dir: BUNDLE_DIR_ON_BASTION,
    eni_tag: ENI_TAG,
    budget_tag: BUDGET_TAG,
    ...(file === "bastion.tf" ? { mime_boundary: MIME_BOUNDARY } : {}),
  };
  return {
    test: TEST,
    source: `02-bastion/${file}`,
    values: {
      from: "the names the lab and the specs also read (generators/02-bastion.ts, 03-netboot.ts)",
      slots,
    },
  };
}

/** The boot script as the bastion runs it (no header): what the boot spec runs. */
export const bastionBootScript = (): string => renderSource(bastionSource("bastion-boot.sh"));

/** The netboot services' ports (SPEC §5), each a rule open to the VPC. */
function netbootPorts(
  model: Model,
): Record<string, { ip_protocol: string; port: number; description: string }> {
  const s = model.services;
  return {
    matchbox: {
      ip_protocol: "tcp",
      port: s.matchboxPort,
      description: "matchbox: boot scripts, kernels, configs",
    },
    "dns-udp": { ip_protocol: "udp", port: s.dnsPort, description: "The DNS filter" },
    "dns-tcp": { ip_protocol: "tcp", port: s.dnsPort, description: "The DNS filter" },
    tftp: { ip_protocol: "udp", port: s.tftpPort, description: "TFTP: netboot loaders" },
    ...Object.fromEntries(
      s.caches.map((c) => [
        `cache-${c.upstream.replaceAll(".", "-")}`,
        { ip_protocol: "tcp", port: c.port, description: `Pull-through cache of ${c.upstream}` },
      ]),
    ),
  };
}

const bastion: ModuleSpec = {
  name: "bastion",
  test: TEST,
  source: "02-bastion",
  files: {
    "iam.tf": sourceFile({ test: TEST, source: "02-bastion/iam.tf" }),
    "security.tf": sourceFile({ test: TEST, source: "02-bastion/security.tf" }),
    "bastion.tf": sourceFile(bastionSource("bastion.tf")),
    "bastion-boot.sh": sourceFile(bastionSource("bastion-boot.sh")),
  },
};

export const generator02: Generator = {
  test: TEST,
  name: "bastion",
  describe: "the bastion: group of one, fixed interface, schedule, SSH from home only",
  layer(model: Model, target: RootTarget) {
    const b = model.bastion;
    return moduleLayer(bastion, {
      wiring: {
        vpc_id: "module.network.vpc_id",
        vpc_cidr: "local.vpc_cidr",
        subnet_id: "module.network.private_subnet_id",
        nat: 'local.nat == "bastion"',
        public_subnet_id: "module.network.public_subnet_id",
        subnet_cidr: "local.private_subnet_cidr",
        subnet_ipv6_cidr: "module.network.private_subnet_ipv6_cidr",
        route_table_id: "module.network.private_route_table_id",
        internet_gateway_id: "module.network.internet_gateway_id",
        netboot_dir: '"${path.root}/netboot"',
        budget_name: "module.budget.budget_name",
      },
      values: {
        name: model.project,
        private_ip: rooted("bastion_private_ip", b.privateIp),
        instance_name: rooted("bastion_name", b.name),
        asg_name: rooted("bastion_asg_name", b.asgName),
        instance_type: rooted("bastion_instance_type", b.instanceType),
        root_volume_size: rooted("bastion_root_volume_size", b.rootVolumeGb),
        ami_parameter: rooted("bastion_ami_parameter", b.amiParameter),
        operator_ipv6_cidr: derived(model).operatorCidr(target) ?? undefined,
        // The lab passes its own operator key; the aws root takes the model's, or asks for one.
        ssh_public_key: target === "aws" ? (b.sshPublicKey ?? undefined) : undefined,
        ...bastionHours(model),
        netboot_ports: netbootPorts(model),
        talos_config_parameter_path: model.nodes.configParameterPath,
        registry_credentials_parameter_path: model.services.registryCredentialsPath,
        tags: model.tags,
      },
    });
  },
  generate: (): GeneratedFile[] => moduleFiles(bastion),
};
