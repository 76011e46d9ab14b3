import { execFile } from "node:child_process";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { promisify } from "node:util";
import { CcaError } from "@cca/core";

const run = promisify(execFile);

/** How long `git rev-parse` may take before the folder is taken as not a repository. */
const GIT_TIMEOUT_MS = 10_000;

/** The project a folder belongs to. */
export interface ResolvedProject {
  /** Its git repository's root, or the folder itself when it is in none; real path, absolute. */
  root: string;
  git: boolean;
}

/**
 * The project of `dir`: the root of the git repository it is in, or the folder itself.
 * Refuses, with what was wrong and what is expected, a path that is not absolute, does
 * not exist or is not a folder.
 */
export async function resolveProject(dir: string): Promise<ResolvedProject> {
  if (!isAbsolute(dir)) {
    throw new CcaError("bad_request", `project_dir must be an absolute path; got "${dir}"`, {
      details: { project_dir: dir },
    });
  }
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CcaError(
      "bad_request",
      `project_dir ${dir} ${info ? "is not a folder" : "does not exist"}; give the folder the task is about`,
      { details: { project_dir: dir } },
    );
  }
  const folder = await realpath(dir);
  try {
    const { stdout } = await run("git", ["-C", folder, "rev-parse", "--show-toplevel"], {
      timeout: GIT_TIMEOUT_MS,
    });
    const root = stdout.trim();
    if (root) return { root: await realpath(root), git: true };
  } catch {
    // Not in a repository (or git is missing): the folder is the project.
  }
  return { root: folder, git: false };
}
