import type { TaskWorkspace } from "./domain/schemas.js";
import type {
  ApplyResult,
  DiffStat,
  FileChange,
  PartChanges,
  TaskChanges,
} from "./domain/workspace-schemas.js";
import { formatGroupedCount } from "./format.js";

/** How many changed files `formatTaskChanges` lists by default, over all parts. */
export const CHANGED_FILES_SHOWN = 20;

const KIND_LETTERS: Record<FileChange["kind"], string> = {
  added: "A",
  modified: "M",
  deleted: "D",
  renamed: "R",
  copied: "C",
  type_changed: "T",
};

/** `+12 -3`, as a diffstat counts lines. */
export function formatLineCounts(stat: { insertions: number; deletions: number }): string {
  return `+${formatGroupedCount(stat.insertions)} -${formatGroupedCount(stat.deletions)}`;
}

/** `3 files, +12 -3`. */
export function formatDiffStatSummary(stat: DiffStat): string {
  const files = stat.files.length;
  return `${formatGroupedCount(files)} file${files === 1 ? "" : "s"}, ${formatLineCounts(stat)}`;
}

/** One changed file: `M src/app.ts +2 -1`, `R new.ts (from old.ts) +0 -0`, `A logo.png binary`. */
export function formatFileChange(file: FileChange): string {
  const from = file.from_path ? ` (from ${file.from_path})` : "";
  const counts = file.binary ? "binary" : formatLineCounts(file);
  return `${KIND_LETTERS[file.kind]} ${file.path}${from} ${counts}`;
}

export interface TaskChangesFormatOptions {
  /** How a part is named in its heading (e.g. by its agent's role); default its id or branch. */
  partLabel?: (part: PartChanges) => string;
  /** Files listed at most, over all parts; the others are counted (default 20). */
  maxFiles?: number;
}

/**
 * What a task's branch changed, compactly: the branch and total, then each part with its
 * diffstat and files (or, without parts, the files), at most `maxFiles` files in all.
 *
 * @example
 * formatTaskChanges(changes).join("\n");
 * // Changes on cca/task_1 (from 1a2b3c4): 2 files, +9 -1
 * // - backend: 1 file, +8 -0
 * //     A src/health.ts +8 -0
 * // - qa: 1 file, +1 -1
 * //     M test/app.test.ts +1 -1
 */
export function formatTaskChanges(changes: TaskChanges, options: TaskChangesFormatOptions = {}): string[] {
  const label = options.partLabel ?? ((part: PartChanges) => part.part_id ?? part.branch);
  const files = fileLister(options.maxFiles ?? CHANGED_FILES_SHOWN);
  const head = `Changes on ${changes.branch} (from ${changes.base.slice(0, 7)})`;
  if (changes.total.files.length === 0) return [`${head}: no files changed`];
  const lines = [`${head}: ${formatDiffStatSummary(changes.total)}`];
  if (changes.parts.length === 0) return [...lines, ...files(changes.total, "  ")];
  for (const part of changes.parts) {
    lines.push(`- ${label(part)}: ${formatDiffStatSummary(part.stat)}`, ...files(part.stat, "    "));
  }
  return lines;
}

/** What the workspace adds to a task's account: why its agents shared the folder, what auto-apply did. */
export function formatWorkspaceNotes(workspace: TaskWorkspace | null): string[] {
  if (!workspace) return [];
  const lines: string[] = [];
  if (workspace.isolation === "shared" && workspace.note) lines.push(`Shared folder: ${workspace.note}`);
  if (workspace.applied) lines.push(`Applied: ${workspace.applied}`);
  return lines;
}

/**
 * What an apply did, compactly: the branch applied to, fast-forward or merge commit, and the
 * files (at most `maxFiles`, the others counted).
 *
 * @example
 * formatApplyResult(applied).join("\n");
 * // Applied cca/task_1 to main as a fast-forward (now at 9f8e7d6): 1 file, +8 -0
 * //   A src/health.ts +8 -0
 */
export function formatApplyResult(result: ApplyResult, options: { maxFiles?: number } = {}): string[] {
  if (result.up_to_date) {
    return [
      `Nothing to apply: ${result.branch} already holds ${result.task_branch} (at ${result.head.slice(0, 7)})`,
    ];
  }
  const how = result.fast_forward
    ? `as a fast-forward (now at ${result.head.slice(0, 7)})`
    : `with the merge commit ${result.head.slice(0, 7)}`;
  const files = fileLister(options.maxFiles ?? CHANGED_FILES_SHOWN);
  return [
    `Applied ${result.task_branch} to ${result.branch} ${how}: ${formatDiffStatSummary(result.changes)}`,
    ...files(result.changes, "  "),
  ];
}

/** Lists files of diffstats, indented, `budget` in all over its calls; the rest are counted. */
function fileLister(budget: number): (stat: DiffStat, indent: string) => string[] {
  let left = budget;
  return (stat, indent) => {
    const shown = stat.files.slice(0, Math.max(0, left));
    left -= shown.length;
    const lines = shown.map((file) => `${indent}${formatFileChange(file)}`);
    const more = stat.files.length - shown.length;
    if (more > 0) lines.push(`${indent}… and ${formatGroupedCount(more)} more file${more === 1 ? "" : "s"}`);
    return lines;
  };
}
