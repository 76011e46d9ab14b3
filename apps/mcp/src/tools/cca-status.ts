import { isTerminalStatus, readTaskChanges, type Task } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { formatTaskDetails, formatTaskList } from "../format.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";

export const CCA_STATUS_TOOL = "cca_status";

const DESCRIPTION =
  "A CCA task by id in full (status, answer, error, the team's tokens and cost, timings, its branch and changed files), or without task_id the recent tasks.";

const inputSchema = {
  task_id: z
    .string({ error: "task_id must be a string such as the id cca_task returned" })
    .trim()
    .min(1, "task_id must not be empty; leave it out to list recent tasks")
    .optional()
    .describe("The id cca_task returned."),
};

/** Registers `cca_status`: one task in full, or the recent tasks. */
export function registerCcaStatusTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_STATUS_TOOL,
    { description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true } },
    async ({ task_id: taskId }) => {
      if (taskId) {
        let task: Task;
        try {
          task = await context.client.getTask(taskId);
        } catch (error) {
          return daemonErrorResult(`Could not read task ${taskId}`, error);
        }
        // This answer shows how it ended; no need to report it again as a late finish.
        if (isTerminalStatus(task.status)) context.lateFinishes.seen(task.id);
        const changes = isTerminalStatus(task.status)
          ? await readTaskChanges(context.client, task, context.logger)
          : null;
        return textResult(formatTaskDetails(task, context.clock.now(), changes));
      }
      try {
        return textResult(formatTaskList(await context.client.listTasks(), context.clock.now()));
      } catch (error) {
        return daemonErrorResult("Could not list the tasks", error);
      }
    },
  );
}
