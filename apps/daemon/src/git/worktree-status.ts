import { isTaskBranch } from "./branch-names.js";
import type { GitRunner } from "./run-git.js";

/**
 * Pathspecs that leave `files` out (copied `copy_files`, which must never be committed), for
 * `git status` and `git add`.
 */
export function excludingPathspecs(files: readonly string[]): string[] {
  return ["--", ".", ...files.map((file) => `:(exclude,literal)${file}`)];
}

/** One path of `git status --porcelain`: its two-letter status (e.g. " M", "??", "UU") and path. */
export interface StatusEntry {
  status: string;
  path: string;
  /** For a rename or copy: where it came from. */
  fromPath?: string;
}

/** Parses `git status --porcelain=v1 -z`. */
export function parsePorcelainStatus(output: string): StatusEntry[] {
  const fields = output.split("\0");
  const entries: StatusEntry[] = [];
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index]!;
    if (field.length < 4) continue;
    const entry: StatusEntry = { status: field.slice(0, 2), path: field.slice(3) };
    if (entry.status[0] === "R" || entry.status[0] === "C") {
      entry.fromPath = fields[index + 1];
      index += 1;
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * The uncommitted changes of the worktree or repository at `cwd`: staged, unstaged, unmerged and
 * untracked (not ignored) paths, leaving out `excluded` ones.
 */
export async function uncommittedChanges(
  git: GitRunner,
  cwd: string,
  excluded: readonly string[] = [],
): Promise<StatusEntry[]> {
  const { stdout } = await git.run(
    ["status", "--porcelain=v1", "-z", "--untracked-files=all", ...excludingPathspecs(excluded)],
    { cwd },
  );
  return parsePorcelainStatus(stdout);
}

/**
 * How many commits the worktree at `cwd` holds that would be lost track of if its branch moved
 * on: commits since `base` on its HEAD that no other local branch contains. A task branch
 * (`cca/<task id>`) holds none by definition: its commits are the task's result, kept by the
 * branch itself.
 */
export async function unmergedCommitCount(
  git: GitRunner,
  cwd: string,
  options: { branch: string | undefined; base: string | undefined },
): Promise<number> {
  if (options.branch !== undefined && isTaskBranch(options.branch)) return 0;
  const others =
    options.branch === undefined ? ["--branches"] : [`--exclude=${options.branch}`, "--branches"];
  const since = options.base === undefined ? [] : [`^${options.base}`];
  const { stdout } = await git.run(["rev-list", "--count", "HEAD", ...since, "--not", ...others], { cwd });
  return Number.parseInt(stdout.trim(), 10) || 0;
}
