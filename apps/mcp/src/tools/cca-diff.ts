import { CcaError, formatGroupedCount, type Task } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";
import { taskIdInput } from "./task-id-input.js";

export const CCA_DIFF_TOOL = "cca_diff";

/** The most of a patch one answer quotes; the rest is counted (`cca task diff <id>` prints it all). */
export const DIFF_SHOWN_CHARS = 60_000;

const DESCRIPTION =
  "The patch a CCA task made: its branch cca/<task id> against the commit it started from, as git diff prints it. " +
  "Read it before cca_apply.";

const inputSchema = {
  task_id: taskIdInput,
};

/** Registers `cca_diff`: the patch of a task's branch. */
export function registerCcaDiffTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_DIFF_TOOL,
    { description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true } },
    ({ task_id: taskId }) => showDiff(taskId, context),
  );
}

async function showDiff(taskId: string, context: ToolContext): Promise<CallToolResult> {
  let task: Task;
  let patch: string;
  try {
    task = await context.client.getTask(taskId);
    patch = await context.client.taskDiff(taskId);
  } catch (error) {
    const hint =
      error instanceof CcaError && error.code === "task_not_found"
        ? "; cca_status without a task_id lists the recent tasks"
        : "";
    return daemonErrorResult(`Could not read the diff of task ${taskId}${hint}`, error);
  }
  const branch = task.workspace?.branch ?? `cca/${task.id}`;
  const base = task.workspace?.base?.slice(0, 7) ?? "its base";
  if (patch.trim() === "") return textResult(`${branch} changes nothing against ${base}.`);
  const shown =
    patch.length > DIFF_SHOWN_CHARS ? patch.slice(0, patch.lastIndexOf("\n", DIFF_SHOWN_CHARS) + 1) : patch;
  const rest = patch.length - shown.length;
  const more =
    rest > 0
      ? `\n… ${formatGroupedCount(rest)} more characters left out; \`cca task diff ${task.id}\` prints all of it.`
      : "";
  return textResult(
    `Patch of ${branch} against ${base} (git diff ${base} ${branch}):\n\n\`\`\`diff\n${shown}\`\`\`${more}`,
  );
}
