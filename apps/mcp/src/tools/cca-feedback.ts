import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";
import { taskIdInput } from "./task-id-input.js";

export const CCA_FEEDBACK_TOOL = "cca_feedback";

const DESCRIPTION =
  "Tell CCA how an ended task went, so its memory learns: success true or false; a note (what went wrong, or what worked) becomes a lesson for later tasks.";

const inputSchema = {
  task_id: taskIdInput,
  success: z.boolean({ error: "success is required: true or false" }).describe("Did it do what was asked?"),
  note: z.string().trim().min(1).max(8000).optional().describe("What went wrong, or what worked."),
};

/** Registers `cca_feedback`: an ended task's verdict (and lesson) for the ReasoningBank. */
export function registerCcaFeedbackTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_FEEDBACK_TOOL,
    { description: DESCRIPTION, inputSchema, annotations: { idempotentHint: true } },
    async ({ task_id: taskId, success, note }) => {
      try {
        const result = await context.client.taskFeedback(taskId, { success, ...(note ? { note } : {}) });
        const items = result.items_updated.length;
        const stored = result.stored
          ? ` The note is stored as ${result.stored.kind} ${result.stored.id}; later tasks that fit get it as a hint.`
          : "";
        return textResult(
          `Recorded task ${result.task_id} as a ${success ? "success" : "failure"}: ${items === 0 ? "it was given no memory items" : `${items} memory item${items === 1 ? "" : "s"} it was given count it`}.${stored}`,
        );
      } catch (error) {
        return daemonErrorResult(`Could not record feedback on task ${taskId}`, error);
      }
    },
  );
}
