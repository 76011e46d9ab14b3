import { homedir } from "node:os";
import type { Worktree, WorktreePruneReport } from "@cca/core";

/**
 * `cca worktree list`: the worktrees grouped by project, each as its agent and state, then its
 * branch and path on lines of their own (ids are long: this keeps every line within `width`).
 */
export function renderWorktreeList(worktrees: readonly Worktree[], width: number): string {
  if (worktrees.length === 0) return "No agent worktrees.";
  const agentWidth = Math.max(...worktrees.map((worktree) => worktree.agent_id.length));
  const blocks = byProject(worktrees).map(([project, list]) => {
    const lines = [`project ${shortPath(project)}`];
    for (const worktree of list) {
      const state = `${worktree.agent_id.padEnd(agentWidth)}  ${describeState(worktree)}`;
      lines.push(
        fit(`  ${state}`, width),
        fit(`    branch ${worktree.branch ?? "(detached HEAD)"}`, width),
        fitPath("    path   ", shortPath(worktree.path), width),
      );
    }
    return lines.join("\n");
  });
  return blocks.join("\n\n");
}

/** `cca worktree prune`: what was removed, and what was kept and why (reasons wrapped to `width`). */
export function renderPruneReport(report: WorktreePruneReport, width: number): string {
  if (report.removed.length === 0 && report.kept.length === 0) return "No agent worktrees to prune.";
  const lines: string[] = [];
  const count = (n: number) => `${n} worktree${n === 1 ? "" : "s"}`;
  lines.push(report.removed.length === 0 ? "Removed nothing." : `Removed ${count(report.removed.length)}:`);
  for (const worktree of report.removed) {
    const how =
      worktree.state === "missing" ? "its folder was gone; git forgot it" : shortPath(worktree.path);
    lines.push(fit(`  ${worktree.agent_id}  ${how}`, width));
  }
  if (report.kept.length > 0) {
    lines.push(`Kept ${count(report.kept.length)}, holding work:`);
    for (const { worktree, reason } of report.kept) {
      lines.push(...wrap(`${worktree.agent_id}: ${reason}`, width, "  ", "      "));
    }
  }
  lines.push("Branches are never deleted: each part's and task's commits stay on its branch.");
  return lines.join("\n");
}

/** `uncommitted (2 files)`, `unmerged (1 commit)`, `clean`, `missing`. */
function describeState(worktree: Worktree): string {
  if (worktree.state === "uncommitted") {
    const files = worktree.uncommitted_files.length;
    const operation = worktree.operation ? `, a ${worktree.operation} in progress` : "";
    return `uncommitted (${files} file${files === 1 ? "" : "s"}${operation})`;
  }
  if (worktree.state === "unmerged") {
    const commits = worktree.unmerged_commits;
    return `unmerged (${commits} commit${commits === 1 ? "" : "s"})`;
  }
  return worktree.state;
}

function byProject(worktrees: readonly Worktree[]): [string, Worktree[]][] {
  const groups = new Map<string, Worktree[]>();
  for (const worktree of worktrees)
    groups.set(worktree.project, [...(groups.get(worktree.project) ?? []), worktree]);
  return [...groups.entries()];
}

/** `~/…` for paths in the home folder. */
function shortPath(path: string): string {
  const home = homedir();
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

/** `line`, cut at the end with `…` to `width`. */
function fit(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, Math.max(1, width - 1))}…` : line;
}

/** `label` and `path`, the path cut at its start (its end names the agent) to fit `width`. */
function fitPath(label: string, path: string, width: number): string {
  const room = width - label.length;
  if (path.length <= room || room < 8) return `${label}${path}`;
  return `${label}…${path.slice(path.length - room + 1)}`;
}

/** `text` in lines of at most `width`, broken at spaces, the first indented by `first`, the rest by `rest`. */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    const indent = lines.length === 0 ? first : rest;
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else line = line.length > indent.length ? `${line} ${word}` : `${line}${word}`;
  }
  lines.push(line);
  return lines;
}
