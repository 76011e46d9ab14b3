import { CcaError, type PendingApproval } from "@cca/core";
import { type CallToolResult, ElicitResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { formatWaitingForApproval } from "./approval-text.js";
import type { ToolExtra } from "./progress-heartbeat.js";
import type { ToolContext } from "./tool-context.js";
import { textResult } from "./tool-result.js";

/** What a waiting `cca_task` (or `cca_resume`) does about the approvals its task waits for. */
export interface ApprovalGate {
  /**
   * Looks for approvals the task (or its parts) waits for. Where the client supports MCP
   * elicitation it asks the person there and answers them; it resolves with an early answer
   * for the waiting tool when the person has to answer another way (`cca_approve`), else
   * undefined.
   */
  check(): Promise<CallToolResult | undefined>;
}

const REMEMBER_CHOICES = {
  no: "No, ask again next time",
  role: "Allow it for this role from now on",
  project: "Allow it for this role in this project from now on",
} as const;

/** The form the person fills in: allow or deny, a message for the agent, whether to remember. */
function approvalForm(approval: PendingApproval) {
  const remember = approval.project ? (["no", "role", "project"] as const) : (["no", "role"] as const);
  return {
    type: "object" as const,
    properties: {
      decision: {
        type: "string" as const,
        title: "Allow or deny?",
        enum: ["allow", "deny"],
        enumNames: ["Allow", "Deny"],
      },
      message: {
        type: "string" as const,
        title: "Message to the agent (optional)",
        description: "Why not, or what to do instead",
      },
      remember: {
        type: "string" as const,
        title: "Remember (with allow)",
        enum: [...remember],
        enumNames: remember.map((choice) => REMEMBER_CHOICES[choice]),
        default: "no",
      },
    },
    required: ["decision"],
  };
}

/**
 * Builds the gate a waiting `cca_task` (or `cca_resume`) consults before each poll. Each
 * approval is asked about once. An elicitation the person declines or dismisses (or a client that answers
 * without a person, as `claude -p` without a host does) leaves the approval pending and
 * falls back to the early answer: an approval is never denied without a person saying so.
 */
export function createApprovalGate(options: {
  context: ToolContext;
  taskId: string;
  extra: ToolExtra;
}): ApprovalGate {
  const { context, taskId, extra } = options;
  const asked = new Set<string>();
  let canElicit = true;

  const elicit = async (approval: PendingApproval): Promise<"answered" | "unanswered"> => {
    const untilExpiry = Date.parse(approval.expires_at) - context.clock.now();
    if (untilExpiry <= 0) return "unanswered";
    const answer = await extra.sendRequest(
      {
        method: "elicitation/create",
        params: {
          mode: "form",
          message:
            `CCA: the ${approval.role} agent (${approval.agent_id}) wants to ${approval.summary} ` +
            `for task ${taskId}${approval.project ? ` in ${approval.project}` : ""}. Allow it?`,
          requestedSchema: approvalForm(approval),
        },
      },
      ElicitResultSchema,
      { signal: extra.signal, timeout: untilExpiry },
    );
    if (answer.action !== "accept" || !answer.content) return "unanswered";
    const { decision, message, remember } = answer.content as Record<string, unknown>;
    if (decision !== "allow" && decision !== "deny") return "unanswered";
    const allow = decision === "allow";
    try {
      await context.client.answerApproval(approval.id, {
        allow,
        ...(typeof message === "string" && message.trim() ? { message: message.trim() } : {}),
        ...(allow && (remember === "role" || remember === "project") ? { remember } : {}),
      });
    } catch (error) {
      // Answered elsewhere, or expired meanwhile: the task's own answer tells what happened.
      if (!(error instanceof CcaError && error.code === "approval_answered")) throw error;
    }
    context.logger.info("approval answered through elicitation", { approval: approval.id, allow });
    return "answered";
  };

  return {
    async check() {
      let pending: PendingApproval[];
      try {
        pending = await context.client.listApprovals({ taskId });
      } catch (error) {
        context.logger.debug("could not list the task's approvals", {
          task_id: taskId,
          error: String(error),
        });
        return undefined;
      }
      const unanswered: PendingApproval[] = [];
      for (const approval of pending) {
        if (!canElicit || !context.supportsElicitation?.() || asked.has(approval.id)) {
          unanswered.push(approval);
          continue;
        }
        asked.add(approval.id);
        try {
          if ((await elicit(approval)) === "unanswered") unanswered.push(approval);
        } catch (error) {
          if (extra.signal.aborted) return undefined;
          canElicit = false;
          context.logger.warn("could not ask through MCP elicitation; asking to use cca_approve", {
            approval: approval.id,
            error: String(error),
          });
          unanswered.push(approval);
        }
      }
      if (unanswered.length === 0) return undefined;
      context.lateFinishes.follow(taskId);
      return textResult(formatWaitingForApproval(taskId, unanswered));
    },
  };
}
