import { existsSync, realpathSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { assertSafeId } from "./branch-names.js";
import { listed } from "./git-error.js";
import { currentBranch, gitDirectory, operationInProgress } from "./repository.js";
import type { GitRunner } from "./run-git.js";
import { readWorktreeRecord } from "./worktree-record.js";
import { uncommittedChanges, unmergedCommitCount } from "./worktree-status.js";

/** Where the project's agent worktrees live, and which project. */
export interface WorktreeLocation {
  /** The project's repository root (the user's working tree). */
  projectRoot: string;
  /** The project's short name, the folder under `worktreesDir` (e.g. `$CCA_HOME/worktrees`). */
  projectSlug: string;
  worktreesDir: string;
}

/** The folder of an agent's worktree: `<worktreesDir>/<projectSlug>/<agentId>`. */
export function agentWorktreePath(location: Omit<WorktreeLocation, "projectRoot">, agentId: string): string {
  return join(
    location.worktreesDir,
    assertSafeId(location.projectSlug, "Project slug"),
    assertSafeId(agentId, "Agent id"),
  );
}

/**
 * What a worktree holds: `clean` (may be reused or removed), `uncommitted` (changed or
 * untracked files, or an operation in progress), `unmerged` (commits no other branch holds),
 * or `missing` (git knows it but its folder is gone).
 */
export type WorktreeState = "clean" | "uncommitted" | "unmerged" | "missing";

/** One agent's worktree and its state. */
export interface AgentWorktree {
  agentId: string;
  path: string;
  /** The branch checked out there; null when HEAD is detached. */
  branch: string | null;
  /** The commit checked out there. */
  head: string;
  /** The base its branch was made from, when CCA made it. */
  base: string | null;
  state: WorktreeState;
  /** Paths with uncommitted changes (copied `copy_files` left out). */
  uncommittedFiles: string[];
  /** Commits since its base that no other branch holds. */
  unmergedCommits: number;
  /** A merge, rebase, cherry-pick or revert the worktree is in the middle of. */
  operation: string | null;
  /** The `copy_files` CCA copied in (never committed, never counted as changes). */
  copiedFiles: string[];
}

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  path: string;
  head: string;
  branch: string | null;
}

/** Every worktree of the repository at `cwd` (the main one first), from `git worktree list --porcelain`. */
export async function worktreeEntries(git: GitRunner, cwd: string): Promise<WorktreeEntry[]> {
  const { stdout } = await git.run(["worktree", "list", "--porcelain"], { cwd });
  const entries: WorktreeEntry[] = [];
  for (const block of stdout.split("\n\n")) {
    const lines = block.split("\n");
    const path = lines.find((line) => line.startsWith("worktree "))?.slice("worktree ".length);
    if (!path) continue;
    const head = lines.find((line) => line.startsWith("HEAD "))?.slice("HEAD ".length) ?? "";
    const ref = lines.find((line) => line.startsWith("branch "))?.slice("branch ".length);
    entries.push({ path, head, branch: ref ? ref.replace(/^refs\/heads\//, "") : null });
  }
  return entries;
}

/** The state of one agent worktree that git lists as `entry`. */
export async function inspectWorktree(git: GitRunner, entry: WorktreeEntry): Promise<AgentWorktree> {
  const agentId = basename(entry.path);
  if (!existsSync(entry.path)) {
    return {
      agentId,
      path: entry.path,
      branch: entry.branch,
      head: entry.head,
      base: null,
      state: "missing",
      uncommittedFiles: [],
      unmergedCommits: 0,
      operation: null,
      copiedFiles: [],
    };
  }
  const [gitDir, current] = await Promise.all([
    gitDirectory(git, entry.path),
    currentBranch(git, entry.path),
  ]);
  const record = await readWorktreeRecord(gitDir);
  const branch = current ?? null;
  const base = record !== undefined && record.branch === branch ? record.base : null;
  const [changes, unmergedCommits, operation] = await Promise.all([
    uncommittedChanges(git, entry.path, record?.copiedFiles ?? []),
    unmergedCommitCount(git, entry.path, { branch: branch ?? undefined, base: base ?? undefined }),
    operationInProgress(git, entry.path),
  ]);
  const uncommittedFiles = changes.map((change) => change.path);
  const state: WorktreeState =
    uncommittedFiles.length > 0 || operation !== undefined
      ? "uncommitted"
      : unmergedCommits > 0
        ? "unmerged"
        : "clean";
  return {
    agentId,
    path: entry.path,
    branch,
    head: entry.head,
    base,
    state,
    uncommittedFiles,
    unmergedCommits,
    operation: operation ?? null,
    copiedFiles: record?.copiedFiles ?? [],
  };
}

/** What a worktree holds that keeps it from being reused or removed, in words ("" when clean). */
export function heldWork(worktree: AgentWorktree): string {
  const what: string[] = [];
  if (worktree.state === "missing") return "";
  if (worktree.operation !== null) what.push(`a ${worktree.operation} in progress`);
  if (worktree.uncommittedFiles.length > 0) {
    what.push(`uncommitted changes in ${listed(worktree.uncommittedFiles)}`);
  }
  if (worktree.unmergedCommits > 0) {
    what.push(
      `${worktree.unmergedCommits} commit(s) on ${worktree.branch ?? "a detached HEAD"} that no other branch holds`,
    );
  }
  return what.join(" and ");
}

/**
 * The project's agent worktrees (those under `<worktreesDir>/<projectSlug>/`), each with its
 * branch, agent and state.
 *
 * @example
 * for (const worktree of await listAgentWorktrees(git, { projectRoot, projectSlug: "shop", worktreesDir })) {
 *   console.log(worktree.agentId, worktree.branch, worktree.state);
 * }
 */
export async function listAgentWorktrees(
  git: GitRunner,
  location: WorktreeLocation,
): Promise<AgentWorktree[]> {
  const folder = canonical(join(location.worktreesDir, assertSafeId(location.projectSlug, "Project slug")));
  const entries = await worktreeEntries(git, location.projectRoot);
  const mine = entries.filter((entry) => canonical(resolve(entry.path, "..")) === folder);
  return Promise.all(mine.map((entry) => inspectWorktree(git, entry)));
}

/** Whether two paths name the same folder, symbolic links resolved as far as they exist. */
export function samePath(left: string, right: string): boolean {
  return canonical(left) === canonical(right);
}

/** `path` with symbolic links resolved as far as it exists, so that /tmp and /private/tmp compare equal. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = resolve(path, "..");
    return parent === path ? path : join(canonical(parent), basename(path));
  }
}
