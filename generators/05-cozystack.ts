// Generator 05: CozyStack on the Talos nodes (SPEC §4 row 05). CozyStack v1 installs in two
// steps: its installer chart (the operator, which also brings Flux), then the platform
// `Package` whose values say where the cluster's networks and API are. The Package lives in
// the GitOps tree, so Flux keeps it; the chart is installed once by hand after the nodes boot
// (Flux cannot install the operator that installs Flux).
import type { Model } from "../model/index.ts";
import { cidrHost, parseIpv4Cidr } from "../model/net.ts";
import { clusterEndpoint, firstControlPlaneIp, schematicFor } from "./04-talos.ts";
import { installerImage } from "./talos-schematic.ts";
import { syncCrds } from "./07-gitops.ts";
import { PLATFORM_PACKAGE, kustomizeFile, platformPaths } from "./platform.ts";
import { generatedHeader, type GeneratedFile, type Generator } from "./types.ts";
import { renderYaml } from "./writers/yaml.ts";
import { shq } from "./writers/shell.ts";
import { Rendered, sourceFile } from "./writers/source.ts";

const TEST = 5;

/** The installer chart as Helm addresses it, and its version (CozyStack's, without the "v"). */
export function installerChart(model: Model): { readonly url: string; readonly version: string } {
  return {
    url: `oci://${model.platform.cozystack.installerChart}`,
    version: model.versions.cozystack.version,
  };
}

/** The platform Package: every network value is the model's, the same ones Talos was given. */
export function platformPackage(model: Model): Record<string, unknown> {
  const pods = parseIpv4Cidr(model.nodes.podCidr);
  if (!pods) throw new Error(`nodes.podCidr ${model.nodes.podCidr} is not an IPv4 CIDR`);
  const c = model.platform.cozystack;
  return {
    apiVersion: "cozystack.io/v1alpha1",
    kind: "Package",
    metadata: { name: PLATFORM_PACKAGE },
    spec: {
      variant: c.variant,
      components: {
        platform: {
          values: {
            publishing: {
              host: c.rootHost,
              apiServerEndpoint: clusterEndpoint(model),
              exposedServices: [...c.exposedServices],
            },
            networking: {
              clusterDomain: model.nodes.clusterDomain,
              podCIDR: model.nodes.podCidr,
              // Kube-OVN's gateway is the pod network's first address.
              podGateway: cidrHost(pods, 1),
              serviceCIDR: model.nodes.serviceCidr,
              joinCIDR: c.joinCidr,
            },
          },
        },
      },
    },
  };
}

/**
 * The commands a user runs once the nodes have booted, in order, with the model's values,
 * from the repository root; DIR is where `npm run talos:configs -- --out DIR` wrote.
 */
export function afterBootCommands(model: Model): string[] {
  const ip = firstControlPlaneIp(model);
  const chart = installerChart(model);
  const paths = platformPaths(model);
  const crds = syncCrds(model)
    .map((c) => `crd/${c}`)
    .join(" ");
  // `kubectl wait` refuses a CRD that does not exist yet, so first wait (10 min at most) for them to appear.
  const crdWait = `timeout 600 sh -c ${shq(`until kubectl get ${crds} >/dev/null 2>&1; do sleep 5; done`)}`;
  // With boot = "ami", Talos's AMI is installed already and boots into maintenance mode: it
  // gets its config over the maintenance API, and ignores the config's install section (its
  // image with the schematic's extensions), so each node is upgraded to that image, the way
  // Talos adds extensions to a node that booted a disk image. Before the bootstrap, with no
  // drain: talosctl's drain (on by default) reads the Kubernetes node once, which fails while
  // there is no API server yet (siderolabs/talos cmd/talosctl/cmd/talos/upgrade.go, nodedrain.go).
  const ami = model.nodes.aws.boot === "ami";
  const talos = (ip: string) =>
    `talosctl --talosconfig DIR/talosconfig --nodes ${shq(ip)} --endpoints ${shq(ip)}`;
  const configure = ami
    ? model.nodes.machines.map(
        (m) => `talosctl apply-config --insecure --nodes ${shq(m.ip)} --file ${shq(`DIR/${m.role}.yaml`)}`,
      )
    : [];
  const upgrade = ami
    ? model.nodes.machines.map(
        (m) =>
          `${talos(m.ip)} upgrade --wait --drain=false --image ${shq(installerImage(schematicFor(model, m.role), model.versions.talos, "aws"))}`,
      )
    : [];
  return [
    ...configure,
    ...upgrade,
    `talosctl --talosconfig DIR/talosconfig bootstrap --nodes ${shq(ip)} --endpoints ${shq(ip)}`,
    `talosctl --talosconfig DIR/talosconfig kubeconfig --nodes ${shq(ip)} --endpoints ${shq(ip)} DIR/kubeconfig`,
    "export KUBECONFIG=DIR/kubeconfig",
    `helm upgrade --install cozystack ${shq(chart.url)} --version ${shq(chart.version)} --namespace ${shq(model.platform.cozystack.namespace)} --create-namespace --wait`,
    // helm --wait returns once the operator runs; it installs Flux and its CRDs after that.
    `${crdWait} && kubectl wait --for=condition=Established --timeout=2m ${crds}`,
    `kubectl apply -k ${shq(paths.fluxSystem)}`,
  ];
}

function readme(model: Model): string {
  const paths = platformPaths(model);
  const chart = installerChart(model);
  const c = model.platform.cozystack;
  return sourceFile({
    test: TEST,
    source: "05-cozystack/platform.md",
    values: {
      from: "the model",
      slots: {
        cozystack_version: model.versions.cozystack.version,
        variant: c.variant,
        root_host: c.rootHost,
        pod_cidr: model.nodes.podCidr,
        service_cidr: model.nodes.serviceCidr,
        join_cidr: c.joinCidr,
        commands: new Rendered(afterBootCommands(model).join("\n")),
        ami_step: new Rendered(
          model.nodes.aws.boot === "ami"
            ? `0. (\`nodes.aws.boot = "ami"\`) Give each node its config over Talos's maintenance API, then,
   before the bootstrap, upgrade each to its role's Image Factory installer for AWS, which carries the
   extensions (${model.nodes.extensions.compute.join(", ")}): Talos's AMI has none, and it ignores
   the config's install image, being installed already.`
            : "",
        ),
        chart_url: chart.url,
        chart_version: chart.version,
        flux_namespace: model.platform.gitops.fluxNamespace,
        flux_system: paths.fluxSystem,
        platform: paths.platform,
        package_file: shq(`${paths.platform}/package.yaml`),
      },
    },
  });
}

function generate(model: Model): GeneratedFile[] {
  const header = generatedHeader(TEST);
  const dir = platformPaths(model).platform;
  return [
    { path: `${dir}/README.md`, content: readme(model) },
    {
      path: `${dir}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["package.yaml"]), header),
    },
    {
      path: `${dir}/package.yaml`,
      content: renderYaml(
        platformPackage(model),
        `CozyStack's platform: the networks and API the Talos configs were generated with.\n${header}`,
      ),
    },
  ];
}

export const generator05: Generator = {
  test: TEST,
  name: "cozystack",
  describe: "CozyStack's platform Package and the steps that install it after the nodes boot",
  generate,
};
