import { ApprovalRequest } from "@cca/acp";
import { describeToolUse, type PermissionDecision } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { startProgressHeartbeat } from "../progress-heartbeat.js";
import type { BridgeContext } from "./bridge-server.js";

/** The bridge tool Claude Code asks before a tool use the role does not pre-allow (`--permission-prompt-tool`). */
export const PERMISSION_PROMPT_TOOL = "cca_permission_prompt";

/** The daemon's `agents.approval_timeout_s` when its registration does not say. */
const DEFAULT_APPROVAL_TIMEOUT_S = 600;
/** How long the bridge waits for the daemon beyond the approval's own deadline. */
const TIMEOUT_MARGIN_MS = 30_000;

/** What Claude Code sends the permission prompt tool (checked on Claude Code 2.1.197). */
const inputSchema = {
  tool_name: z.string().describe("The tool Claude Code wants to run"),
  input: z.record(z.string(), z.unknown()).describe("Its input"),
  tool_use_id: z.string().optional(),
};

/**
 * Claude Code reads the first text block of the result as JSON: `{behavior:"allow",
 * updatedInput}` runs the tool with that input, `{behavior:"deny", message}` gives the model
 * the message as the tool's error result.
 */
function decisionResult(decision: PermissionDecision): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(decision) }] };
}

/**
 * Registers the permission prompt tool: each question becomes an approval in the daemon's
 * inbox (`approval/request`), and the person's answer (or the denial that says nobody
 * answered in time) goes back to Claude Code. Anything that goes wrong is a denial, never
 * a silent allow.
 */
export function registerPermissionTool(
  server: McpServer,
  context: BridgeContext,
  options: { approvalTimeoutS?: number },
): void {
  const waitMs = (options.approvalTimeoutS ?? DEFAULT_APPROVAL_TIMEOUT_S) * 1000 + TIMEOUT_MARGIN_MS;
  server.registerTool(
    PERMISSION_PROMPT_TOOL,
    {
      description:
        "Claude Code's permission prompt (--permission-prompt-tool): asks the user to approve a tool use. Not for the model to call.",
      inputSchema,
    },
    async (question, extra) => {
      const summary = describeToolUse(question.tool_name, question.input);
      const heartbeat = startProgressHeartbeat({
        extra,
        intervalMs: context.progressIntervalMs,
        logger: context.logger,
        message: () => `waiting for the user's approval to ${summary}`,
      });
      try {
        const decision = await context.acp.request(ApprovalRequest, question, {
          signal: extra.signal,
          timeoutMs: waitMs,
        });
        return decisionResult(decision);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        context.logger.warn("could not get an approval from the daemon; denying", {
          tool: question.tool_name,
          reason,
        });
        return decisionResult({
          behavior: "deny",
          message: `Could not ask the user to approve this (${reason}), so it is denied.`,
        });
      } finally {
        heartbeat.stop();
      }
    },
  );
}
