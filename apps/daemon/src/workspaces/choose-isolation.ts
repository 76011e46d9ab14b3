import type { IsolationMode } from "@cca/core";
import { resolveCommit } from "../git/index.js";
import type { GitRunner } from "../git/run-git.js";

/** How a project's agents will work, and from which commit a task starts. */
export interface IsolationChoice {
  isolation: IsolationMode;
  /** The project's HEAD (full id) in worktree mode; null when shared. */
  base: string | null;
  /** Why the agents share the folder when worktrees were asked for; null otherwise. */
  note: string | null;
}

/**
 * Worktrees when they were asked for (`agents.isolation`) and the project is a git
 * repository with a commit to start from; else the project folder, shared, with a note
 * saying why when worktrees were asked for.
 */
export async function chooseIsolation(
  git: GitRunner,
  project: string,
  wanted: IsolationMode,
): Promise<IsolationChoice> {
  if (wanted === "shared") return { isolation: "shared", base: null, note: null };
  const inside = await git.run(["rev-parse", "--is-inside-work-tree"], {
    cwd: project,
    okExitCodes: [0, 128],
  });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== "true") {
    return {
      isolation: "shared",
      base: null,
      note: `${project} is not a git repository, so the agents worked in the folder itself, one shared working tree (agents.isolation = "shared")`,
    };
  }
  try {
    return { isolation: "worktree", base: await resolveCommit(git, project, "HEAD"), note: null };
  } catch {
    return {
      isolation: "shared",
      base: null,
      note: `${project} has no commit yet, so there is no base for worktrees: the agents worked in the folder itself (commit once to give them worktrees)`,
    };
  }
}
