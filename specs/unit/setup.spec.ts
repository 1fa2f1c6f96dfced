// Unit specs of the setup: the Go wrapper modules build exactly what the model pins,
// and the tool paths are keyed by version.
import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { loadModel, REPO_ROOT } from "../../model/index.ts";
import { wrapperRequirement } from "../../setup/setup.ts";
import { toolPaths } from "../../setup/tools.ts";

const model = loadModel();

test("the Go wrapper modules require the versions the model pins", () => {
  const go = join(REPO_ROOT, "setup", "go");
  expect(wrapperRequirement(join(go, "opentofu"), model.versions.opentofuBuild)).toBeUndefined();
  expect(
    wrapperRequirement(join(go, "terraform-provider-aws"), model.versions.awsProvider.build),
  ).toBeUndefined();
  expect(wrapperRequirement(join(go, "matchbox"), model.versions.matchbox.build)).toBeUndefined();
  expect(wrapperRequirement(join(go, "registry"), model.versions.registry.build)).toBeUndefined();
});

test("a wrapper that disagrees with the model is caught, with the fix", () => {
  const message = wrapperRequirement(join(REPO_ROOT, "setup", "go", "opentofu"), {
    module: model.versions.opentofuBuild.module,
    moduleVersion: "v1.99.0",
  });
  const b = model.versions.opentofuBuild;
  expect(message).toContain(`requires ${b.module} ${b.moduleVersion}, the model says v1.99.0`);
  expect(message).toMatch(/go get -tool/);
});

test("heavy builds are cached by version", () => {
  const paths = toolPaths(model);
  expect(paths.matchbox).toContain(`/matchbox/${model.versions.matchbox.version}/matchbox`);
  expect(paths.registry).toContain(`/registry/${model.versions.registry.version}/registry`);
  expect(paths.tofu).toContain(`/opentofu/${model.versions.opentofu}/`);
  expect(paths.awsProviderBinary).toContain(
    `/registry.opentofu.org/hashicorp/aws/${model.versions.awsProvider.version}/linux_amd64/terraform-provider-aws_v${model.versions.awsProvider.version}`,
  );
});
