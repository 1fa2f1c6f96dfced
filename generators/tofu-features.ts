// The OpenTofu features the generated roots and modules use that older releases refuse,
// each with the release that added it. `required_version` is the newest of them, so a
// root never claims to work on a release that cannot read it; a unit spec scans the
// generated files for each feature and fails when a file uses one the constraint allows
// an older OpenTofu for.

export interface TofuFeature {
  readonly name: string;
  /** What in a generated .tf or .hcl file shows the feature is used. */
  readonly pattern: RegExp;
  /** The first OpenTofu release that has it. */
  readonly since: string;
  readonly source: string;
}

export const TOFU_FEATURES: readonly TofuFeature[] = [
  {
    // The S3 backend's own lock file, instead of a DynamoDB table.
    name: "the S3 backend's use_lockfile",
    pattern: /^\s*use_lockfile\s*=/m,
    since: "1.10.0",
    source: "opentofu/opentofu CHANGELOG.md, 1.10.0: S3 backend native locking (use_lockfile)",
  },
];

const parts = (v: string): number[] => v.split(".").map(Number);

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The oldest release every generated file works on: the newest feature's release. */
export const minimumTofuVersion = (): string =>
  TOFU_FEATURES.map((f) => f.since).reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));

/** The `required_version` every root and module declares. */
export const tofuRequiredVersion = (): string => `>= ${minimumTofuVersion().replace(/\.0$/, "")}`;
