import type { Task } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ToolExtra } from "../progress-heartbeat.js";
import { answerTaskCall } from "../task-wait.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult } from "../tool-result.js";
import { budgetInput } from "./budget-input.js";
import { taskIdInput } from "./task-id-input.js";

export const CCA_RESUME_TOOL = "cca_resume";

const DESCRIPTION =
  "Continue a CCA task that paused because its budget ran out (ask the user first: it spends more). Waits like cca_task.";

const inputSchema = {
  task_id: taskIdInput,
  budget: budgetInput(
    'Its new total, what it spent included, e.g. {"tokens": 400000}. Default: what it spent plus its last budget again.',
  ),
  wait: z
    .boolean({ error: "wait must be true or false" })
    .default(true)
    .describe("Wait for the answer (default); false returns at once."),
};

type CcaResumeInput = z.output<z.ZodObject<typeof inputSchema>>;

/** Registers `cca_resume`: put a paused task back in line and, by default, wait for its answer. */
export function registerCcaResumeTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_RESUME_TOOL,
    { description: DESCRIPTION, inputSchema },
    (input, extra) => resumeTask(input, extra, context),
  );
}

async function resumeTask(
  input: CcaResumeInput,
  extra: ToolExtra,
  context: ToolContext,
): Promise<CallToolResult> {
  let task: Task;
  try {
    task = await context.client.resumeTask(
      input.task_id,
      input.budget === undefined ? {} : { budget: input.budget },
    );
  } catch (error) {
    return daemonErrorResult(`Could not resume task ${input.task_id}`, error);
  }
  context.logger.info("task resumed", { task_id: task.id, wait: input.wait });
  // Whatever reported its pause is moot now; this call answers for it, or follows it anew.
  context.lateFinishes.seen(task.id);
  return answerTaskCall({
    tool: CCA_RESUME_TOOL,
    task,
    wait: input.wait,
    notWaiting:
      `Resumed task ${task.id}; it is ${task.status} again. ` +
      `Check it with cca_status {"task_id":"${task.id}"}; cca_activity shows the agents at work.`,
    extra,
    context,
  });
}
