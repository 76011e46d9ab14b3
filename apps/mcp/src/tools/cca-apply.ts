import { type ApplyResult, CcaError, formatApplyResult } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, errorResult, textResult } from "../tool-result.js";
import { taskIdInput } from "./task-id-input.js";

export const CCA_APPLY_TOOL = "cca_apply";

const DESCRIPTION =
  "Apply an ended CCA task: merge its branch cca/<task id> into the project's current branch, keeping the user's " +
  "uncommitted changes (a fast-forward, or a merge commit). It refuses, changing nothing, when it would overwrite " +
  "uncommitted or untracked files or conflict, and names the files.";

const inputSchema = {
  task_id: taskIdInput,
};

/** Registers `cca_apply`: merge a task's branch into the user's branch. */
export function registerCcaApplyTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_APPLY_TOOL,
    {
      description: DESCRIPTION,
      inputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    ({ task_id: taskId }) => applyTask(taskId, context),
  );
}

async function applyTask(taskId: string, context: ToolContext): Promise<CallToolResult> {
  let applied: ApplyResult;
  try {
    applied = await context.client.applyTask(taskId);
  } catch (error) {
    if (error instanceof CcaError && error.details.status === 409) {
      // A refusal: the daemon's message names the files and what to do; nothing was changed.
      return errorResult(`Did not apply task ${taskId} [${error.code}]: ${error.message}${filesOf(error)}`);
    }
    return daemonErrorResult(`Could not apply task ${taskId}`, error);
  }
  context.logger.info("task applied", { task_id: taskId, branch: applied.branch, head: applied.head });
  return textResult(formatApplyResult(applied).join("\n"));
}

/** The files a refusal names, in full when its message had to shorten the list. */
function filesOf(error: CcaError): string {
  const files = error.details.files;
  if (!Array.isArray(files) || files.length <= 5) return "";
  return `\nFiles: ${files.join(", ")}`;
}
