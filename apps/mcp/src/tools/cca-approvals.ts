import { APPROVAL_REMEMBER, CcaError } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { formatAnswer, formatApprovals } from "../approval-text.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, errorResult, textResult } from "../tool-result.js";

export const CCA_APPROVALS_TOOL = "cca_approvals";
export const CCA_APPROVE_TOOL = "cca_approve";

const approveInput = {
  id: z
    .string({ error: "id is required: the approval's id, as cca_approvals lists it" })
    .trim()
    .min(1, "id must not be empty: give the approval's id from cca_approvals")
    .describe("The approval's id (approval_…), from cca_approvals."),
  allow: z
    .boolean({ error: "allow is required: true to allow the tool use, false to deny it" })
    .describe("true runs the tool; false denies it (the agent is told, with your message)."),
  message: z
    .string({ error: "message must be a string" })
    .trim()
    .max(2000, "message must be at most 2000 characters")
    .optional()
    .describe("For the agent, e.g. why not, or what to do instead."),
  remember: z
    .enum(APPROVAL_REMEMBER, { error: `remember must be one of: ${APPROVAL_REMEMBER.join(", ")}` })
    .optional()
    .describe(
      'With allow: "role" allows the same use for the role from now on, "project" only in this project. ' +
        "For Bash the same command exactly; for other tools the tool.",
    ),
};

/** Registers `cca_approvals` (what waits for the user's approval) and `cca_approve` (answer one). */
export function registerCcaApprovalTools(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_APPROVALS_TOOL,
    {
      description:
        "The tool uses CCA agents wait for the user to approve (a command, a fetch…): id, agent, role, project, task, what it wants, how long it waits.",
      annotations: { readOnlyHint: true },
    },
    async () => {
      try {
        return textResult(formatApprovals(await context.client.listApprovals(), context.clock.now()));
      } catch (error) {
        return daemonErrorResult("Could not list the approvals", error);
      }
    },
  );
  registerCcaTool(
    server,
    context,
    CCA_APPROVE_TOOL,
    {
      description:
        "Answer an approval a CCA agent waits for: allow or deny its tool use (ask the user first), optionally remembering the answer.",
      inputSchema: approveInput,
      annotations: { destructiveHint: true, idempotentHint: false },
    },
    async ({ id, allow, message, remember }) => {
      try {
        return textResult(
          formatAnswer(await context.client.answerApproval(id, { allow, message, remember })),
        );
      } catch (error) {
        if (
          error instanceof CcaError &&
          (error.code === "approval_not_found" || error.code === "approval_answered")
        )
          return errorResult(`${error.message} [${error.code}]`);
        return daemonErrorResult(`Could not answer approval ${id}`, error);
      }
    },
  );
}
