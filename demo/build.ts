// Builds the demo component from demo/src: esbuild bundles the TypeScript (Spin's esbuild
// plugin marks the wasi:http imports external), then Spin's build tool (componentize-js, with
// the JavaScript engine it ships in its npm package) makes a WebAssembly component of it.
// Everything comes from npm; nothing is fetched while building. `npm run demo:build`.
import { SpinEsbuildPlugin } from "@spinframework/build-tools/plugins/esbuild/index.js";
import { build } from "esbuild";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../common/exec.ts";
import { loadModel, REPO_ROOT, runCommand, type Model } from "../model/index.ts";
import { DEMO_DIST, demoWasm } from "../generators/06-demo.ts";

export interface DemoBuild {
  readonly wasm: string;
  readonly bytes: number;
  readonly bundleMs: number;
  readonly componentizeMs: number;
}

export async function buildDemo(model: Model): Promise<DemoBuild> {
  // Spin's plugin and build tool find the wit packages from the package.json of the
  // working directory, and the build tool can only read files beneath it.
  if (resolve(process.cwd()) !== REPO_ROOT)
    throw new Error(`build the demo from the repository root (${REPO_ROOT}), not ${process.cwd()}`);
  const dist = join(REPO_ROOT, DEMO_DIST);
  const bundle = join(dist, "bundle.js");
  const wasm = join(REPO_ROOT, demoWasm(model));
  mkdirSync(dist, { recursive: true });
  rmSync(wasm, { force: true });
  const t0 = performance.now();
  await build({
    entryPoints: [join(REPO_ROOT, "demo/src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    outfile: bundle,
    plugins: [await SpinEsbuildPlugin()],
    logLevel: "warning",
  });
  const t1 = performance.now();
  run(
    [
      join(REPO_ROOT, "node_modules/.bin/j2w"),
      "-i",
      bundle,
      "-o",
      wasm,
      "--initLocation",
      `http://${model.platform.demo.name}.localhost`,
    ],
    { cwd: REPO_ROOT },
  );
  const t2 = performance.now();
  return {
    wasm,
    bytes: statSync(wasm).size,
    bundleMs: Math.round(t1 - t0),
    componentizeMs: Math.round(t2 - t1),
  };
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("demo:build", async () => {
    const model = loadModel();
    console.log(`building ${demoWasm(model)} from demo/src …`);
    const b = await buildDemo(model);
    console.log(
      `${b.wasm}: ${(b.bytes / 1024 / 1024).toFixed(1)} MiB (bundle ${b.bundleMs} ms, component ${(b.componentizeMs / 1000).toFixed(1)} s)`,
    );
    return 0;
  });
