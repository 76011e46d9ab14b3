import { cp, lstat } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";
import { GitError } from "./git-error.js";
import type { GitRunner } from "./run-git.js";

/** What `copyProjectFiles` did with each name it was given. */
export interface CopiedFiles {
  /** Paths copied (relative to the project and the worktree). */
  copied: string[];
  /** Paths left alone: missing from the project, or tracked by git in the worktree (its own version wins). */
  skipped: { path: string; reason: "missing" | "tracked" }[];
}

/**
 * Copies the named untracked files or folders (`copy_files`, e.g. [".env"]) from the project
 * into a worktree, overwriting older copies there. Names that the project lacks, or that git
 * tracks in the worktree, are skipped and reported. Names must be relative and stay inside
 * the project.
 */
export async function copyProjectFiles(
  git: GitRunner,
  options: { projectRoot: string; worktreePath: string; files: readonly string[] },
): Promise<CopiedFiles> {
  const names = options.files.map(checkedName);
  const result: CopiedFiles = { copied: [], skipped: [] };
  if (names.length === 0) return result;
  const tracked = await trackedAmong(git, options.worktreePath, names);
  for (const name of names) {
    if (tracked.has(name)) {
      result.skipped.push({ path: name, reason: "tracked" });
      continue;
    }
    const source = join(options.projectRoot, name);
    if (!(await exists(source))) {
      result.skipped.push({ path: name, reason: "missing" });
      continue;
    }
    await cp(source, join(options.worktreePath, name), { recursive: true, force: true, dereference: false });
    result.copied.push(name);
  }
  return result;
}

function checkedName(name: string): string {
  const normal = normalize(name).replace(/[/\\]+$/, "");
  if (name === "" || isAbsolute(name) || normal === "." || normal === ".." || normal.startsWith(`..${sep}`)) {
    throw new GitError(
      "invalid_name",
      `copy_files entry ${JSON.stringify(name)} must be a path relative to the project, inside it`,
    );
  }
  return normal.split(sep).join("/");
}

async function trackedAmong(git: GitRunner, cwd: string, names: string[]): Promise<Set<string>> {
  const { stdout } = await git.run(["ls-files", "-z", "--", ...names.map((name) => `:(literal)${name}`)], {
    cwd,
  });
  const files = stdout.split("\0").filter(Boolean);
  return new Set(names.filter((name) => files.some((file) => file === name || file.startsWith(`${name}/`))));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
