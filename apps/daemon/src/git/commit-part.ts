import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assertSafeId } from "./branch-names.js";
import { currentBranch, gitDirectory, operationInProgress } from "./repository.js";
import type { GitRunner } from "./run-git.js";
import { readWorktreeRecord } from "./worktree-record.js";
import { excludingPathspecs } from "./worktree-status.js";

/** The trailer that names the task on every commit CCA makes. */
export const TASK_TRAILER = "CCA-Task";
/** The trailer that names the part (and on a merge, the part's branch). */
export const PART_TRAILER = "CCA-Part";

/** The identity CCA commits as for `role`: `CCA <role>` <`<role>@cca.local`>, as author and committer. */
export function ccaIdentity(role: string): Record<string, string> {
  const name = `CCA ${assertSafeId(role, "Role")}`;
  const email = `${role.toLowerCase()}@cca.local`;
  return {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  };
}

/** The message of a part's commit: its description, then a trailer paragraph naming the task (and part). */
export function partCommitMessage(description: string, taskId: string, partId?: string): string {
  const trailers = [`${TASK_TRAILER}: ${taskId}`];
  if (partId !== undefined) trailers.push(`${PART_TRAILER}: ${partId}`);
  const body = description.trim() || `Part of task ${taskId}`;
  return `${body}\n\n${trailers.join("\n")}\n`;
}

/** What to commit: everything in a part's worktree. */
export interface CommitPartOptions {
  worktreePath: string;
  /** The role of the agent that did the part: the commit's author is `CCA <role>`. */
  role: string;
  /** The part's description: the commit message. */
  description: string;
  taskId: string;
  partId?: string;
}

/** A commit made, or why none was. */
export type CommitPartResult =
  | { committed: true; commit: string; branch: string | null; files: string[] }
  | { committed: false; reason: "nothing_to_commit"; branch: string | null };

/**
 * Stages everything in the part's worktree (new, changed and deleted files; never the copied
 * `copy_files`) and commits it on the worktree's branch as `CCA <role>`, with the part's
 * description and a `CCA-Task:` trailer. When nothing changed there is no commit, and the
 * result says so. A merge the agent resolved in its worktree is concluded by this commit.
 * Hooks do not run (`--no-verify`) and nothing is signed: these are CCA's working branches.
 *
 * @example
 * const result = await commitPart(git, { worktreePath, role: "backend", description: part.description, taskId });
 * if (!result.committed) logger.info("the part changed nothing");
 */
export async function commitPart(git: GitRunner, options: CommitPartOptions): Promise<CommitPartResult> {
  const cwd = options.worktreePath;
  const identity = ccaIdentity(options.role);
  const gitDir = await gitDirectory(git, cwd);
  const record = await readWorktreeRecord(gitDir);
  await git.run(["add", "--all", ...excludingPathspecs(record?.copiedFiles ?? [])], { cwd });
  const [{ stdout: staged }, operation, branch] = await Promise.all([
    git.run(["diff", "--cached", "--name-only", "-z"], { cwd }),
    operationInProgress(git, cwd),
    currentBranch(git, cwd),
  ]);
  const files = staged.split("\0").filter(Boolean);
  if (files.length === 0 && operation !== "merge") {
    return { committed: false, reason: "nothing_to_commit", branch: branch ?? null };
  }
  const messageFile = join(gitDir, "CCA_COMMIT_MSG");
  await writeFile(messageFile, partCommitMessage(options.description, options.taskId, options.partId));
  try {
    await git.run(
      [
        "-c",
        "commit.gpgsign=false",
        "commit",
        "--quiet",
        "--no-verify",
        "--cleanup=whitespace",
        "--file",
        messageFile,
      ],
      { cwd, env: identity },
    );
  } finally {
    await rm(messageFile, { force: true });
  }
  const { stdout: head } = await git.run(["rev-parse", "HEAD"], { cwd });
  return { committed: true, commit: head.trim(), branch: branch ?? null, files };
}
