// Spin's esbuild plugin ships as plain JavaScript; this is the one function the build uses.
declare module "@spinframework/build-tools/plugins/esbuild/index.js" {
  import type { Plugin } from "esbuild";
  /** Marks the wit imports of the package.json's dependencies as externals of the bundle. */
  export function SpinEsbuildPlugin(): Promise<Plugin>;
}
