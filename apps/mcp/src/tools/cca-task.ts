import { MAX_TASK_DESCRIPTION_CHARS, TASK_PRIORITIES, type Task } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ToolExtra } from "../progress-heartbeat.js";
import { answerTaskCall } from "../task-wait.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult } from "../tool-result.js";
import { budgetInput } from "./budget-input.js";

export const CCA_TASK_TOOL = "cca_task";

const DESCRIPTION =
  "Hand a software development task (code, tests, fixes, reviews, refactoring, infra, database, security) " +
  "to the CCA agent team and get their answer. Specialist Claude Code agents split the work and remember " +
  "earlier tasks, so follow-ups work. Waits with progress; a long task returns its id for cca_status.";

const inputSchema = {
  description: z
    .string({ error: "description is required: say what the team should do" })
    .trim()
    .min(1, "description must not be empty: say what the team should do")
    .max(
      MAX_TASK_DESCRIPTION_CHARS,
      `description is longer than ${MAX_TASK_DESCRIPTION_CHARS} characters: put large material in files and name them`,
    )
    .describe("The work, with what the team needs: goal, files, constraints, how to check it."),
  priority: z
    .enum(TASK_PRIORITIES, { error: `priority must be one of: ${TASK_PRIORITIES.join(", ")}` })
    .optional()
    .describe("Default normal."),
  role: z
    .string({ error: "role must be a string naming an agent role" })
    .trim()
    .min(1, "role must name an agent role, e.g. backend")
    .optional()
    .describe("Send it straight to one specialist (e.g. backend, qa) instead of the Coordinator."),
  budget: budgetInput(
    'The most the whole team may spend, e.g. {"tokens": 200000} or {"usd": 2}; reaching it pauses the task for cca_resume. Default: cca.toml [budgets].',
  ),
  wait: z
    .boolean({ error: "wait must be true or false" })
    .default(true)
    .describe("Wait for the answer (default); false returns the task id at once."),
};

type CcaTaskInput = z.output<z.ZodObject<typeof inputSchema>>;

/** Registers `cca_task`: create a task and, by default, wait for its answer while reporting progress. */
export function registerCcaTaskTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(server, context, CCA_TASK_TOOL, { description: DESCRIPTION, inputSchema }, (input, extra) =>
    runCcaTask(input, extra, context),
  );
}

async function runCcaTask(
  input: CcaTaskInput,
  extra: ToolExtra,
  context: ToolContext,
): Promise<CallToolResult> {
  let task: Task;
  try {
    task = await context.client.createTask({
      description: input.description,
      priority: input.priority,
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(input.budget === undefined ? {} : { budget: input.budget }),
      ...(context.projectDir === undefined ? {} : { project_dir: context.projectDir }),
    });
  } catch (error) {
    return daemonErrorResult("Could not hand the task to the CCA daemon", error);
  }
  context.logger.info("task created", { task_id: task.id, wait: input.wait });
  return answerTaskCall({
    tool: CCA_TASK_TOOL,
    task,
    wait: input.wait,
    notWaiting:
      `Task ${task.id} is ${task.status} (priority ${task.priority}). ` +
      `Check it with cca_status {"task_id":"${task.id}"}; cca_activity shows the agents at work.`,
    extra,
    context,
  });
}
