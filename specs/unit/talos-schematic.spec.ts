// Unit specs of the offline Image Factory schematic IDs: the canonical YAML is pinned to
// two IDs the factory publishes, so the kit's own schematics get the IDs the factory
// would give them.
import { expect, test } from "@playwright/test";
import { installerImage, schematicId, schematicYaml } from "../../generators/talos-schematic.ts";
import { DEFAULT_MODEL, mergeModel, ModelError, validateModel } from "../../model/index.ts";

test("the empty schematic has the factory's well-known ID", () => {
  expect(schematicYaml({ officialExtensions: [] })).toBe("customization: {}\n");
  expect(schematicId({ officialExtensions: [] })).toBe(
    "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
  );
});

test("iscsi-tools + util-linux-tools has the ID the factory gives it", () => {
  // The schematic Longhorn's Talos guide uses; its ID is published by the factory.
  expect(
    schematicId({ officialExtensions: ["siderolabs/util-linux-tools", "siderolabs/iscsi-tools"] }),
    "the same ID whatever the order the extensions are listed in",
  ).toBe("613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245");
});

test("the kit's compute and gateway schematics differ only by Tailscale", () => {
  const { compute, gateway } = DEFAULT_MODEL.nodes.extensions;
  expect(gateway.filter((e) => !compute.includes(e))).toEqual(["siderolabs/tailscale"]);
  const c = installerImage({ officialExtensions: compute }, DEFAULT_MODEL.versions.talos, "metal");
  expect(c).toMatch(/^factory\.talos\.dev\/installer\/[0-9a-f]{64}:v\d+\.\d+\.\d+$/);
  expect(c).not.toBe(installerImage({ officialExtensions: gateway }, DEFAULT_MODEL.versions.talos, "metal"));
});

test("an unknown extension is refused by the model, with the closest name", () => {
  let error: unknown;
  try {
    validateModel(
      mergeModel(DEFAULT_MODEL, {
        nodes: { extensions: { compute: ["siderolabs/drdb"], gateway: ["siderolabs/tailscale"] } },
      }),
    );
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelError);
  expect((error as Error).message).toContain(
    'nodes.extensions.compute[0] = "siderolabs/drdb": is not an official Talos extension the kit knows. Fix: did you mean "siderolabs/drbd"?',
  );
  expect(() => schematicYaml({ officialExtensions: ["siderolabs/nope"] })).toThrow(
    /not an official extension/,
  );
});
