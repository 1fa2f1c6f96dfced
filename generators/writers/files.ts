// All-or-nothing writes of several files under one root: every path is checked to stay
// inside the root (symlinks resolved), every new content is written to a staging folder
// beside the tree, and only then moved into place; a failure on the way puts back what was
// there. A command that writes half its files leaves a tree no generator emitted.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { UsageError } from "../../model/index.ts";

export interface FileToWrite {
  /** Relative to the root. */
  readonly path: string;
  readonly content: string;
}

/** The staging folders' prefix, inside the root so a rename never crosses filesystems. */
export const STAGING_PREFIX = ".moon-staging-";

/** The real path of `full`'s deepest existing ancestor (itself when it exists). */
function realAncestor(full: string): string {
  let at = full;
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  return realpathSync(at);
}

/** Refuses a path that leaves the root, by `..`, by being absolute, or through a symlink. */
export function insideRoot(root: string, path: string): string {
  const realRoot = realpathSync(root);
  const full = resolve(root, path);
  const rel = relative(root, full);
  const outside = (r: string) => r === "" || r === ".." || r.startsWith(`..${sep}`) || isAbsolute(r);
  if (isAbsolute(path) || outside(rel))
    throw new UsageError(`${path} is outside ${root}. Fix: give a path inside it, without "..".`);
  const real = realAncestor(full);
  const realRel = relative(realRoot, real);
  if (real !== realRoot && outside(realRel))
    throw new UsageError(
      `${path} leads through a symbolic link to ${real}, outside ${realRoot}. Fix: remove the link, or set the path to a folder inside the repository.`,
    );
  return full;
}

/**
 * Writes the files whose content differs from the tree, all or none; returns the paths it
 * changed. Throws (with the tree as it was) when a path is outside the root or a write fails.
 */
export function writeAllOrNothing(root: string, files: readonly FileToWrite[]): string[] {
  const targets = files.map((f) => ({ ...f, full: insideRoot(root, f.path) }));
  for (const t of targets)
    if (existsSync(t.full) && !lstatSync(t.full).isFile())
      throw new UsageError(
        `${t.path} is there already and is not a file (a folder or a link). Fix: move it away; the generator owns this path.`,
      );
  const changed = targets.filter((t) => !(existsSync(t.full) && readFileSync(t.full, "utf8") === t.content));
  if (changed.length === 0) return [];
  const staging = mkdtempSync(join(root, STAGING_PREFIX));
  const moved: { full: string; backup?: string }[] = [];
  let current = "";
  try {
    changed.forEach((t, i) => {
      current = t.path;
      writeFileSync(join(staging, `new-${i}`), t.content);
    });
    changed.forEach((t, i) => {
      current = t.path;
      mkdirSync(dirname(t.full), { recursive: true });
      let backup: string | undefined;
      if (existsSync(t.full)) {
        backup = join(staging, `old-${i}`);
        renameSync(t.full, backup);
      }
      moved.push({ full: t.full, backup });
      renameSync(join(staging, `new-${i}`), t.full);
    });
  } catch (e) {
    for (const m of moved.reverse()) {
      if (existsSync(m.full)) unlinkSync(m.full);
      if (m.backup !== undefined && existsSync(m.backup)) renameSync(m.backup, m.full);
    }
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`writing ${current} failed (${(e as Error).message}); no file was changed`, { cause: e });
  }
  rmSync(staging, { recursive: true, force: true });
  return changed.map((t) => t.path);
}
