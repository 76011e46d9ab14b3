import type { PartMerge, TaskStatus } from "@cca/core";

/** Most files named in one note; the rest are counted. */
const FILES_NAMED = 20;

/**
 * What the Coordinator is told about a part's changes: merged, nothing to merge, not merged
 * (the part did not complete: its branch keeps them), or a conflict, with every conflicting
 * file and its hunks, and what to do about it. A conflict is never left out.
 */
export function partMergeNote(merge: Omit<PartMerge, "note">, status: TaskStatus): string {
  const files = named(merge.files);
  switch (merge.outcome) {
    case "merged":
      return `Merged into ${merge.task_branch}: ${files}.`;
    case "no_changes":
      return `The part changed no files, so nothing was merged into ${merge.task_branch}.`;
    case "not_merged":
      return `The part ended ${status}, so its changes (${files}) were not merged into ${merge.task_branch}; they stay on ${merge.part_branch}.`;
    case "conflict":
      return [
        `MERGE CONFLICT: the part's changes conflict with ${merge.task_branch} and were NOT merged ` +
          `(they stay on ${merge.part_branch}; the task's branch is as it was).`,
        `Conflicting files: ${merge.conflicts.map((file) => `${file.path} (${file.kind})`).join(", ")}.`,
        ...merge.conflicts.flatMap((file) =>
          file.hunks.length > 0
            ? [`--- ${file.path}`, ...file.hunks]
            : [`--- ${file.path}: ${file.binary ? "binary file" : file.kind}, no text hunks`],
        ),
        ...(merge.truncated ? ["(Some hunks were left out to keep this short.)"] : []),
        "To fix it, delegate a part that makes this change again on top of the task's branch as it is now " +
          "(it starts from there), resolving the conflicting lines.",
      ].join("\n");
  }
}

function named(files: readonly string[]): string {
  if (files.length === 0) return "no files";
  const shown = files.slice(0, FILES_NAMED).join(", ");
  return files.length > FILES_NAMED ? `${shown} and ${files.length - FILES_NAMED} more` : shown;
}
