import type {
  ApplyResult,
  DiffStat,
  FileChange,
  TaskChanges,
  Worktree,
  WorktreePruneReport,
} from "@cca/core";
import {
  type AgentWorktree,
  type ApplyResult as GitApplyResult,
  type DiffStat as GitDiffStat,
  type FileChange as GitFileChange,
  type TaskChanges as GitTaskChanges,
  PART_BRANCH_PREFIX,
  type PruneReport,
} from "../git/index.js";

// The git layer's results in the HTTP API's wire form (snake_case, see @cca/core's workspace schemas).

export function diffStatWire(stat: GitDiffStat): DiffStat {
  return { files: stat.files.map(fileChangeWire), insertions: stat.insertions, deletions: stat.deletions };
}

function fileChangeWire(file: GitFileChange): FileChange {
  return {
    path: file.path,
    from_path: file.fromPath ?? null,
    kind: file.kind,
    insertions: file.insertions,
    deletions: file.deletions,
    binary: file.binary,
  };
}

/** The part of a branch `cca-parts/<task id>/<part id>`; null for any other branch. */
export function partIdOfBranch(branch: string): string | null {
  if (!branch.startsWith(PART_BRANCH_PREFIX)) return null;
  const [, partId] = branch.slice(PART_BRANCH_PREFIX.length).split("/");
  return partId || null;
}

export function taskChangesWire(taskId: string, changes: GitTaskChanges): TaskChanges {
  return {
    task_id: taskId,
    branch: changes.branch,
    base: changes.base,
    head: changes.head,
    parts: changes.parts.map((part) => ({
      part_id: partIdOfBranch(part.branch),
      branch: part.branch,
      merge_commit: part.mergeCommit,
      stat: diffStatWire(part.stat),
    })),
    total: diffStatWire(changes.total),
  };
}

export function applyResultWire(taskId: string, taskBranch: string, result: GitApplyResult): ApplyResult {
  return {
    task_id: taskId,
    task_branch: taskBranch,
    branch: result.branch,
    previous_head: result.previousHead,
    head: result.head,
    fast_forward: result.fastForward,
    up_to_date: result.upToDate,
    changes: diffStatWire(result.changes),
  };
}

export function worktreeWire(project: string, worktree: AgentWorktree): Worktree {
  return {
    project,
    agent_id: worktree.agentId,
    path: worktree.path,
    branch: worktree.branch,
    head: worktree.head,
    base: worktree.base,
    state: worktree.state,
    uncommitted_files: worktree.uncommittedFiles,
    unmerged_commits: worktree.unmergedCommits,
    operation: worktree.operation,
  };
}

export function pruneReportWire(project: string, report: PruneReport): WorktreePruneReport {
  return {
    removed: report.removed.map((worktree) => worktreeWire(project, worktree)),
    kept: report.kept.map(({ worktree, reason }) => ({ worktree: worktreeWire(project, worktree), reason })),
  };
}
