// Every string of the model has a rule, chosen for where it lands: an AWS name or tag, a
// DNS label, a Kubernetes name, a path, a cron field, a URL. The rule is a floor (charset
// and length) under the checks in validate.ts that read the value's meaning; a value that
// passes it carries no character a shell, HCL or YAML would read as syntax, so quoting at
// the point of writing (generators/writers) is a second wall, not the only one.
// A unit spec holds that each string leaf of the defaults has a rule here and passes it.
import type { Problem } from "./validate.ts";

export interface StringRule {
  readonly re: RegExp;
  /** Longest accepted value, in characters. */
  readonly max: number;
  /** What the value must be, as the problem says it. */
  readonly what: string;
  readonly example: string;
}

const rule = (re: RegExp, max: number, what: string, example: string): StringRule => ({
  re,
  max,
  what,
  example,
});

// Kubernetes names (RFC 1123 labels, 63): namespaces, deployments, folders of the GitOps tree.
const K8S_NAME = rule(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 63, "a DNS label (a-z, 0-9, '-')", "moon");
// Host and domain names (253), lower case, as the DNS filter and the registries write them.
const DNS_NAME = rule(
  /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
  253,
  "a lower-case DNS name",
  "moon.example.org",
);
// Choices the validator then matches against its list (plan, arch, role, …).
const WORD = rule(/^[a-z0-9][a-z0-9_-]*$/, 32, "a lower-case word", "paid");
const IPV4 = rule(/^[0-9.]+$/, 15, "an IPv4 address", "10.20.13.140");
const IPV4_CIDR = rule(/^[0-9./]+$/, 18, "an IPv4 CIDR", "10.20.0.0/16");
const IPV6 = rule(/^[0-9a-f:]+$/, 39, "a lower-case IPv6 address", "2001:db8:bad::66");
const IPV6_CIDR = rule(/^[0-9a-f:/]+$/, 43, "a lower-case IPv6 CIDR", "2001:db8:ab::10/128");
const IP = rule(/^[0-9a-f.:]+$/, 39, "an IP address", "9.9.9.9");
// Absolute paths on a host (the bastion, the lab's host): no spaces, no "..".
const ABS_PATH = rule(
  /^(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)+$/,
  255,
  "an absolute path without '..'",
  "/var/lib/moon-and-back",
);
// A path the kit or the operator creates parameters under: AWS reserves names beginning with
// aws or ssm (any case), and a hierarchy has at most 15 levels
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html).
const OWN_SSM_PATH = rule(
  /^(?!\/?[aA][wW][sS])(?!\/?[sS][sS][mM])(\/[A-Za-z0-9_.-]+){1,13}$/,
  1011,
  "an SSM parameter path of at most 13 levels (the kit adds two), not beginning with aws or ssm",
  "/moon-and-back/talos",
);
// Paths inside a repository: relative, no "..", no empty segment.
const REL_PATH = rule(
  /^(?!\.\.?(\/|$))[A-Za-z0-9_-][A-Za-z0-9._-]*(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)*$/,
  255,
  "a relative path without '..'",
  "gitops",
);
// SSM parameter names (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html).
const SSM_PATH = rule(/^(\/[A-Za-z0-9_.-]+)+$/, 1011, "an SSM parameter path", "/moon-and-back/talos");
const INSTANCE_TYPE = rule(/^[a-z0-9-]+\.[a-z0-9]+$/, 32, "an EC2 instance type", "t4g.micro");
const VERSION = rule(/^v?\d+\.\d+\.\d+([-+.][A-Za-z0-9.-]+)?$/, 64, "a version number", "1.12.6");
const GO_MODULE = rule(
  /^[a-z0-9.-]+(\/[A-Za-z0-9._~-]+)+$/,
  255,
  "a Go module path",
  "github.com/opentofu/opentofu",
);
const GO_VERSION = rule(
  /^v\d+\.\d+\.\d+(-[A-Za-z0-9.-]+)?(\+incompatible)?$/,
  128,
  "a Go module version",
  "v1.12.6",
);
// OCI references without a tag (charts, repositories) and with one (images).
const OCI_REPO = rule(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 255, "an OCI repository", "ghcr.io/org/chart");
const OCI_IMAGE = rule(
  /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
  255,
  "an image reference with its tag",
  "ghcr.io/you/hello-spin:0.1.0",
);
const URL_TEXT = rule(
  /^(https?|ssh):\/\/[A-Za-z0-9._~:/@%+-]+$/,
  2048,
  "an http(s) or ssh URL",
  "https://quay.io",
);
const CRON = rule(/^[0-9*,/ -]+$/, 64, "a 5-field cron expression", "0 10 * * 6");
const DURATION = rule(/^[0-9hms]+$/, 16, "a Go duration", "10m");
const EMAIL = rule(
  /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$/,
  254,
  "an e-mail address",
  "you@example.org",
);

/**
 * The rule for each string of the model, by path: list entries as `[]`, a free-form map's
 * keys as `*`. Paths the defaults have and this table lacks fail a unit spec.
 */
export const STRING_RULES: Readonly<Record<string, StringRule>> = {
  // AWS names, IAM role names (64 with the suffixes the modules add), S3 keys, SSM paths.
  project: rule(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, 32, "a lower-case name (a-z, 0-9, '-')", "moon-and-back"),
  region: WORD,
  // AWS tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): 128/256,
  // letters, digits, spaces and _ . : / = + - @.
  // Values may not begin with "aws:" either, in any case.
  "tags.*": rule(
    /^(?![aA][wW][sS]:)[\p{L}\p{N} _.:/=+@-]*$/u,
    256,
    "an AWS tag value (letters, digits, spaces, _ . : / = + - @)",
    "opentofu",
  ),
  "network.vpcCidr": IPV4_CIDR,
  "network.public.cidr": IPV4_CIDR,
  "network.private.cidr": IPV4_CIDR,
  "network.availabilityZone": WORD,
  "network.nat": WORD,
  "network.natInstanceType": INSTANCE_TYPE,
  "network.natSchedule": WORD,
  "network.natInstanceAmiParameter": SSM_PATH,
  "bastion.name": rule(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 128, "an AWS name", "tf-bastion"),
  "bastion.asgName": rule(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 128, "an AWS name", "tf-asg"),
  "bastion.privateIp": IPV4,
  "bastion.instanceType": INSTANCE_TYPE,
  "bastion.amiParameter": SSM_PATH,
  "bastion.schedule.start": CRON,
  "bastion.schedule.stop": CRON,
  // IANA names (https://data.iana.org/time-zones/tz-link.html): Area/Location, letters, '_', '-', '+'.
  // EventBridge Scheduler's ScheduleExpressionTimezone takes 1-50 characters (botocore's
  // scheduler/2021-06-30/service-2.json).
  "bastion.schedule.timeZone": rule(/^[A-Za-z0-9_+/-]+$/, 50, "an IANA time zone", "Europe/Paris"),
  "bastion.operatorIpv6Cidr": IPV6_CIDR,
  // An OpenSSH public key line: type, base64, an optional comment without quotes or '$'.
  "bastion.sshPublicKey": rule(
    /^[a-z0-9@.-]+ [A-Za-z0-9+/]+={0,2}( [A-Za-z0-9@._+=:/-]+)*$/,
    4096,
    "an OpenSSH public key line (type, key, optional comment of letters, digits and @ . _ + = : / -)",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGt5LXRoYXQtaXMtbm90LWEtcmVhbC1rZXktLS0tLS0t you@laptop",
  ),
  "bastion.sshUser": rule(/^[a-z_][a-z0-9_-]*$/, 32, "a Linux user name", "ec2-user"),
  "services.caches[].upstream": DNS_NAME,
  "services.caches[].remoteUrl": URL_TEXT,
  "services.dhcp.leaseTime": WORD,
  "services.dnsFilter.upstreams.aws[]": IP,
  "services.dnsFilter.upstreams.home[]": IP,
  "services.dnsFilter.localDomain": DNS_NAME,
  "services.dnsFilter.bastionNames[]": K8S_NAME,
  "services.dnsFilter.blocklist[]": DNS_NAME,
  "services.dataDir": ABS_PATH,
  "services.registryCredentialsPath": OWN_SSM_PATH,
  "nodes.namePrefix": rule(/^[a-z][a-z0-9-]*-$/, 50, "a host-name prefix ending in '-'", "talos-node-"),
  "nodes.machines[].mac": rule(/^[0-9a-f:]+$/, 17, "a lower-case MAC address", "02:4d:42:00:00:01"),
  "nodes.machines[].ip": IPV4,
  "nodes.machines[].arch": WORD,
  "nodes.machines[].role": WORD,
  "nodes.configParameterPath": OWN_SSM_PATH,
  "nodes.clusterName": K8S_NAME,
  "nodes.podCidr": IPV4_CIDR,
  "nodes.serviceCidr": IPV4_CIDR,
  "nodes.clusterDomain": DNS_NAME,
  "nodes.installDisk.home": ABS_PATH,
  "nodes.installDisk.lab": ABS_PATH,
  "nodes.aws.instanceType": INSTANCE_TYPE,
  "nodes.aws.boot": WORD,
  "nodes.extensions.compute[]": rule(
    /^[a-z0-9-]+\/[a-z0-9-]+$/,
    128,
    "an extension as org/name",
    "siderolabs/spin",
  ),
  "nodes.extensions.gateway[]": rule(
    /^[a-z0-9-]+\/[a-z0-9-]+$/,
    128,
    "an extension as org/name",
    "siderolabs/spin",
  ),
  "budget.account.opened": rule(/^\d{4}-\d{2}(-\d{2})?$/, 10, "a month as YYYY-MM", "2024-01"),
  "budget.account.plan": WORD,
  "budget.alertEmail": EMAIL,
  "guardrails.flowLogs.trafficType": rule(/^[A-Z]+$/, 8, "a traffic type", "ALL"),
  "versions.opentofu": VERSION,
  "versions.opentofuBuild.module": GO_MODULE,
  "versions.opentofuBuild.moduleVersion": GO_VERSION,
  "versions.awsProvider.version": VERSION,
  "versions.awsProvider.constraint": rule(
    /^(~>|>=|<=|>|<|=|!=) ?\d+(\.\d+){0,2}$/,
    32,
    "a version constraint",
    "~> 6.47",
  ),
  "versions.awsProvider.build.module": GO_MODULE,
  "versions.awsProvider.build.moduleVersion": GO_VERSION,
  "versions.matchbox.version": VERSION,
  "versions.matchbox.build.module": GO_MODULE,
  "versions.matchbox.build.moduleVersion": GO_VERSION,
  "versions.registry.version": VERSION,
  "versions.registry.build.module": GO_MODULE,
  "versions.registry.build.moduleVersion": GO_VERSION,
  "versions.images.dnsmasq": OCI_IMAGE,
  "versions.images.pihole": OCI_IMAGE,
  "versions.images.matchboxRepository": OCI_REPO,
  "versions.images.registryRepository": OCI_REPO,
  "versions.composePlugin": VERSION,
  "versions.talos": VERSION,
  "versions.talosMachinery.module": GO_MODULE,
  "versions.talosMachinery.moduleVersion": GO_VERSION,
  "versions.cozystack.version": VERSION,
  "versions.cozystack.appsApi.module": GO_MODULE,
  "versions.cozystack.appsApi.moduleVersion": GO_VERSION,
  "versions.flux.sourceApi.module": GO_MODULE,
  "versions.flux.sourceApi.moduleVersion": GO_VERSION,
  "versions.flux.kustomizeApi.module": GO_MODULE,
  "versions.flux.kustomizeApi.moduleVersion": GO_VERSION,
  "versions.flux.helmApi.module": GO_MODULE,
  "versions.flux.helmApi.moduleVersion": GO_VERSION,
  "versions.flux.notificationApi.module": GO_MODULE,
  "versions.flux.notificationApi.moduleVersion": GO_VERSION,
  "versions.spinOperator.version": VERSION,
  "versions.spinOperator.api.module": GO_MODULE,
  "versions.spinOperator.api.moduleVersion": GO_VERSION,
  "versions.controllerTools.module": GO_MODULE,
  "versions.controllerTools.moduleVersion": GO_VERSION,
  // Python package versions (PEP 440's release segment is enough for pins).
  "versions.moto": VERSION,
  "versions.awscli": VERSION,
  "versions.checkov": VERSION,
  "platform.cozystack.namespace": K8S_NAME,
  "platform.cozystack.installerChart": OCI_REPO,
  "platform.cozystack.variant": WORD,
  "platform.cozystack.rootHost": DNS_NAME,
  "platform.cozystack.joinCidr": IPV4_CIDR,
  "platform.cozystack.exposedServices[]": K8S_NAME,
  "platform.gitops.repositoryUrl": URL_TEXT,
  // A Git branch name (git check-ref-format --branch): not "-…", "HEAD" or ".…"; no "..",
  // "//", "/." or ".lock" at a component's end; no spaces or ~^:?*[\ (the charset).
  "platform.gitops.branch": rule(
    /^(?!-)(?!HEAD$)(?!\.)(?!\/)(?!.*(\.\.|\/\/|\/\.|\.lock(\/|$)))[A-Za-z0-9._/-]+(?<![/.])$/,
    255,
    "a Git branch name",
    "main",
  ),
  "platform.gitops.root": REL_PATH,
  "platform.gitops.cluster": K8S_NAME,
  "platform.gitops.fluxNamespace": K8S_NAME,
  "platform.gitops.fluxDeployment": K8S_NAME,
  "platform.gitops.fluxControllers[]": K8S_NAME,
  "platform.gitops.syncNamespace": K8S_NAME,
  "platform.gitops.interval": DURATION,
  "platform.gitops.timeout": DURATION,
  "platform.spin.namespace": K8S_NAME,
  "platform.spin.chart": OCI_REPO,
  "platform.spin.crdsRepository": URL_TEXT,
  "platform.spin.crdsPath": REL_PATH,
  "platform.spin.runtimeClass": K8S_NAME,
  "platform.spin.handler": K8S_NAME,
  "platform.spin.executor": K8S_NAME,
  "platform.spin.nodeArch": WORD,
  "platform.demo.name": K8S_NAME,
  "platform.demo.tenant": K8S_NAME,
  "platform.demo.image": OCI_IMAGE,
  // What the demo answers: it lands in YAML, a Rust string and an HTTP body; no quotes,
  // backslashes, '$', '`' or control characters.
  "platform.demo.message": rule(
    /^[\p{L}\p{N} .,:;!?'()-]+$/u,
    200,
    "a short sentence (letters, digits, spaces, . , : ; ! ? ' ( ) -)",
    "Hello from Spin",
  ),
  "lab.emulator.host": IPV4,
  // Interface and namespace names derive from it, and Linux caps interface names at 15 bytes.
  "lab.namespacePrefix": rule(/^[a-z][a-z0-9]{0,5}-$/, 7, "a short lower-case prefix ending in '-'", "mab-"),
  "lab.budgetAlertEmail": EMAIL,
  "lab.stateDir": ABS_PATH,
  "lab.internet.hostsCidr": IPV4_CIDR,
  "lab.internet.publicCidr": IPV4_CIDR,
  "lab.internet.ipv6LinkCidr": IPV6_CIDR,
  "lab.internet.strangerIpv6": IPV6,
  "lab.home.ipv6Cidr": IPV6_CIDR,
  "lab.upstreams.testImage.repository": rule(
    /^[a-z0-9._/-]+$/,
    255,
    "a repository name",
    "moon-and-back/hello",
  ),
  "lab.upstreams.testImage.tag": rule(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 128, "an image tag", "1.0"),
};

// AWS tag keys: as values, 1-128, and never the reserved "aws:" prefix.
const TAG_KEY = /^(?!aws:)[\p{L}\p{N} _.:/=+@-]{1,128}$/iu;

/** The table's key for a model path: list indices become `[]`, a map's keys `*`. */
export function rulePath(path: string): string {
  return path.replace(/\[\d+\]/g, "[]").replace(/^tags\..*$/, "tags.*");
}

/** Walks the model's strings and reports each that breaks its rule (or has none). */
export function stringProblems(model: object): Problem[] {
  const problems: Problem[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        walk(x, `${path}[${i}]`);
      });
    else if (typeof v === "object" && v !== null)
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (path === "tags" && !TAG_KEY.test(k))
          problems.push({
            path: p,
            value: k,
            message: "is not an AWS tag key (1-128 letters, digits, spaces, _ . : / = + - @; not aws:)",
            fix: 'rename the tag, e.g. "Owner"',
          });
        walk(x, p);
      }
    else if (typeof v === "string") {
      const r = STRING_RULES[rulePath(path)];
      if (r === undefined)
        problems.push({
          path,
          value: v,
          message: "has no rule in model/strings.ts",
          fix: "add one (a bug of the kit)",
        });
      else if (v.length > r.max || !r.re.test(v))
        problems.push({
          path,
          value: v.length > 80 ? `${v.slice(0, 77)}…` : v,
          message:
            v.length > r.max
              ? `is ${v.length} characters, longer than ${r.what} may be (${r.max})`
              : `is not ${r.what}`,
          fix: `write e.g. ${JSON.stringify(r.example)}`,
        });
    }
  };
  walk(model, "");
  return problems;
}
