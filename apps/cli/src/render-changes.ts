import {
  type ChangesReading,
  formatTaskChanges,
  formatWorkspaceNotes,
  type PartChanges,
  type Task,
  type TaskTree,
} from "@cca/core";
import { flattenTree, roleOfAgent } from "./render-tree.js";

/**
 * The `changes` section of `cca task status`: the branch, each part's diffstat and files
 * (capped), how to apply it, why agents shared the folder, what auto-apply did; "" when there
 * is nothing to say. Lines are cut to `width`.
 */
export function renderChangesSection(task: Task | TaskTree, reading: ChangesReading, width: number): string {
  const lines: string[] = [];
  if (reading && "changes" in reading) {
    const { changes } = reading;
    lines.push(...formatTaskChanges(changes, { partLabel: (part) => partLabel(task, part) }));
    if (task.status === "completed" && changes.total.files.length > 0 && !task.workspace?.applied) {
      lines.push(`Apply it with \`cca task apply ${task.id}\`; the patch: \`cca task diff ${task.id}\``);
    }
  } else if (reading) {
    lines.push(`Branch ${task.workspace?.branch ?? `cca/${task.id}`}: ${reading.problem}`);
  }
  lines.push(...formatWorkspaceNotes(task.workspace));
  if (lines.length === 0) return "";
  const cut = (line: string, max: number) => (line.length > max ? `${line.slice(0, max - 1)}…` : line);
  return `changes\n${lines.map((line) => `  ${cut(line, Math.max(20, width - 2))}`).join("\n")}`;
}

/** `backend task_2` for a part found in the tree, else its id (or branch). */
function partLabel(task: Task | TaskTree, part: PartChanges): string {
  const found = "subtasks" in task ? flattenTree(task).find((node) => node.id === part.part_id) : undefined;
  return found?.agent_id ? `${roleOfAgent(found.agent_id)} ${found.id}` : (part.part_id ?? part.branch);
}
