// The layout of what runs on the cluster (generators 05, 06, 07): the GitOps tree in the
// Flux reference shape, the demo's manifests, and the typed objects they share. Paths are
// from the repository root; Flux paths are the same with "./" in front.
import type { Model } from "../model/index.ts";

export interface PlatformPaths {
  /** gitops/ */
  readonly root: string;
  /** gitops/clusters/<cluster>: the folder Flux's root Kustomization applies. */
  readonly cluster: string;
  readonly fluxSystem: string;
  /** CozyStack's platform Package (generator 05). */
  readonly platform: string;
  readonly controllers: string;
  readonly spinOperator: string;
  readonly configs: string;
  readonly spinRuntime: string;
  readonly apps: string;
  readonly appsTenants: string;
  readonly appsDemo: string;
  /** The demo's own manifests (generator 06), which apps/ points at. */
  readonly demoTenant: string;
  readonly demoApp: string;
}

export function platformPaths(model: Model): PlatformPaths {
  const root = model.platform.gitops.root;
  const cluster = `${root}/clusters/${model.platform.gitops.cluster}`;
  return {
    root,
    cluster,
    fluxSystem: `${cluster}/flux-system`,
    platform: `${root}/infrastructure/platform`,
    controllers: `${root}/infrastructure/controllers`,
    spinOperator: `${root}/infrastructure/controllers/spin-operator`,
    configs: `${root}/infrastructure/configs`,
    spinRuntime: `${root}/infrastructure/configs/spin-runtime`,
    apps: `${root}/apps`,
    appsTenants: `${root}/apps/tenants`,
    appsDemo: `${root}/apps/demo`,
    demoTenant: "demo/manifests/tenant",
    demoApp: "demo/manifests/app",
  };
}

/** A kustomize.config.k8s.io Kustomization listing its resources (files or folders). */
export function kustomizeFile(resources: readonly string[]): Record<string, unknown> {
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources };
}

/** A path from one folder to another, both from the repository root. */
export function relativePath(from: string, to: string): string {
  const a = from.split("/");
  const b = to.split("/");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/") || ".";
}

/** CozyStack names a child of tenant-root's namespace `tenant-<name>`. */
export const tenantNamespace = (model: Model) => `tenant-${model.platform.demo.tenant}`;
/** The root tenant's namespace, where child Tenants are created. */
export const ROOT_TENANT_NAMESPACE = "tenant-root";

/** CozyStack's platform Package: the name must match the PackageSource its operator creates. */
export const PLATFORM_PACKAGE = "cozystack.cozystack-platform";

/** The Flux GitRepository every Kustomization of the tree reads from. */
export const SYNC_SOURCE = "flux-system";

/** The bastion's cache for an upstream registry, as an oci:// URL Flux's source-controller pulls. */
export function cachedOciUrl(model: Model, reference: string): string {
  const slash = reference.indexOf("/");
  const host = reference.slice(0, slash);
  const cache = model.services.caches.find((c) => c.upstream === host);
  if (!cache)
    throw new Error(
      `${reference}: no cache in services.caches serves ${host}; add one or use an image from a cached registry`,
    );
  return `oci://${model.bastion.privateIp}:${cache.port}/${reference.slice(slash + 1)}`;
}
