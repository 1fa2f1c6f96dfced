// The AMIs the nodes module boots EC2 nodes from, as their publishers register them. The
// module finds them by owner, name and architecture; the lab's emulator registers the same
// images with the same root devices, so a launch template that maps the wrong device shows
// in the lab as it would on EC2 (a mapping that misses the root device adds a volume and
// leaves the AMI's own root in place).

export type AmiArch = "arm64" | "x86_64";

export interface UpstreamAmi {
  readonly kind: "ipxe" | "talos";
  /** The publisher's AWS account (the data source's `owners`). */
  readonly owner: string;
  /** The name as published; `{date}`, `{version}`, `{region}` and `{arch}` filled in per image. */
  readonly name: string;
  readonly architectures: readonly AmiArch[];
  /** How the name spells each architecture. */
  readonly archInName: Readonly<Record<AmiArch, string>>;
  readonly rootDeviceName: string;
  /** The root volume's size as the AMI's snapshot gives it, in GiB. */
  readonly rootVolumeGib: number;
  readonly rootVolumeType: "standard" | "gp2";
  /** The boot mode registered with the AMI; none where the publisher sets none (EC2's default for the type applies). */
  readonly bootMode: Readonly<Record<AmiArch, "uefi" | "legacy-bios" | null>>;
  /**
   * Images registered before this day cannot boot a node as the module launches it; the
   * module's data source refuses them (a postcondition on the image's creation date).
   */
  readonly notCreatedBefore?: { readonly at: string; readonly why: string; readonly source: string };
  readonly source: string;
}

export const UPSTREAM_AMIS: readonly UpstreamAmi[] = [
  {
    kind: "ipxe",
    // ipxe.org/howto/ec2 lists the account.
    owner: "833372943033",
    name: "iPXE ({date}) ({arch})",
    architectures: ["arm64", "x86_64"],
    archInName: { arm64: "arm64", x86_64: "x86_64" },
    // Registered with RootDeviceName /dev/sda1 from a 1 GiB snapshot (VolumeSize=1), volume
    // type standard, and no BootMode: Graviton boots it UEFI, its only mode (the images are
    // built EFI for arm64, BIOS for x86_64: .github/workflows/aws-import.yml).
    rootDeviceName: "/dev/sda1",
    rootVolumeGib: 1,
    rootVolumeType: "standard",
    bootMode: { arm64: null, x86_64: null },
    // The nodes' launch template requires IMDSv2 tokens; iPXE's AWS script asks for one
    // before it reads the user data only since 2026-07-14. An AMI imported before that reads
    // it without a token, which fails when tokens are required, so the node never gets its
    // script. The images are imported by hand (workflow_dispatch; `awstest` pushes import a
    // separate `ipxetest` family), so the newest image in the account may be older than the
    // change. The creation date is a proxy: a later import of an older branch would pass.
    notCreatedBefore: {
      // The commit's time: an image imported earlier that day is older than the change.
      at: "2026-07-14T12:10:19Z",
      why: "iPXE's AWS script fetches its user data with an IMDSv2 token only since then, and the nodes' launch template requires tokens",
      source:
        "ipxe/ipxe commit 345abfba1 '[cloud] Add support for AWS IMDSv2' (src/config/cloud/aws.ipxe); with IMDSv2 required, a request without a token fails (docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html)",
    },
    source: "ipxe/ipxe contrib/cloud/aws-import (register_image) and .github/workflows/aws-import.yml",
  },
  {
    kind: "talos",
    owner: "540036508848",
    name: "talos-v{version}-{region}-{arch}",
    architectures: ["arm64", "x86_64"],
    archInName: { arm64: "arm64", x86_64: "amd64" },
    // The root mapping is /dev/xvda, 20 GiB gp2; UEFI from v1.13.0.
    rootDeviceName: "/dev/xvda",
    rootVolumeGib: 20,
    rootVolumeType: "gp2",
    bootMode: { arm64: "uefi", x86_64: "uefi" },
    source:
      "siderolabs/talos tools/cloud-image-uploader/aws.go (RegisterImage); owner: siderolabs/docs Omni getting started",
  },
];

export function upstreamAmi(kind: UpstreamAmi["kind"]): UpstreamAmi {
  const ami = UPSTREAM_AMIS.find((a) => a.kind === kind);
  if (!ami) throw new Error(`no upstream AMI of kind ${kind}`);
  return ami;
}
