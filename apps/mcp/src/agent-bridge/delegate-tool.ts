import { randomUUID } from "node:crypto";
import { TaskDelegate } from "@cca/acp";
import { BUILTIN_ROLES, type PartMerge, type Task } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { formatCost, formatDuration, formatEndVerb, formatTokens } from "../format.js";
import { startProgressHeartbeat } from "../progress-heartbeat.js";
import { errorResult, textResult } from "../tool-result.js";
import { acpErrorResult } from "./acp-error-result.js";
import type { BridgeContext } from "./bridge-server.js";

const SPECIALISTS = BUILTIN_ROLES.filter((role) => role !== "coordinator");

const DESCRIPTION =
  `Delegate one part of your task to a specialist agent (${SPECIALISTS.join(", ")}, or a configured custom role) ` +
  "and get its answer. Call it several times in one message to run independent parts in parallel. " +
  "A failed or timed-out part comes back as an error result; decide what to do about it.";

const inputSchema = {
  role: z
    .string()
    .trim()
    .min(1, "role must name a specialist role")
    .describe(`e.g. ${SPECIALISTS.join(", ")}`),
  task: z
    .string()
    .trim()
    .min(1, "task must not be empty")
    .describe("What the specialist should do and how to verify it; it has not seen your conversation."),
  context: z.string().optional().describe("Facts it needs: files, decisions, interfaces, constraints."),
  timeout_s: z.number().positive().max(86_400).optional().describe("Give up after this many seconds."),
};

/** How long the bridge waits for the daemon beyond the part's own time limit. */
const TIMEOUT_MARGIN_MS = 60_000;
/** The part's limit when the call names none; the daemon enforces its own default first. */
const DEFAULT_WAIT_MS = 24 * 3600_000;

/** Registers `cca_delegate`: run a part on a specialist, relaying its progress, and return its answer. */
export function registerDelegateTool(server: McpServer, context: BridgeContext): void {
  // Claude Code runs several tool calls of one message at once only for tools marked read-only;
  // delegation changes nothing in the Coordinator's own workspace, and parallel parts are its point.
  const annotations = { readOnlyHint: true, openWorldHint: false };
  server.registerTool(
    "cca_delegate",
    { description: DESCRIPTION, inputSchema, annotations },
    async (input, extra) => {
      const delegationId = randomUUID();
      let latest = `${input.role}: starting`;
      const stopProgress = context.progress.listen(delegationId, (summary) => {
        latest = summary;
      });
      const heartbeat = startProgressHeartbeat({
        extra,
        intervalMs: context.progressIntervalMs,
        logger: context.logger,
        message: () => latest,
      });
      try {
        const { task, merge } = await context.acp.request(
          TaskDelegate,
          { ...input, delegation_id: delegationId },
          {
            signal: extra.signal,
            timeoutMs: (input.timeout_s ? input.timeout_s * 1000 : DEFAULT_WAIT_MS) + TIMEOUT_MARGIN_MS,
          },
        );
        return delegationResult(task, input.role, merge);
      } catch (error) {
        return acpErrorResult(`Could not delegate to ${input.role}`, error);
      } finally {
        heartbeat.stop();
        stopProgress();
      }
    },
  );
}

function delegationResult(task: Task, role: string, merge: PartMerge | null): CallToolResult {
  const effort = [task.status, formatTokens(task.usage), formatCost(task.usage.cost_usd)];
  if (task.duration_ms !== null) effort.push(formatDuration(task.duration_ms));
  const footer = `[${role} · ${task.id} · ${effort.join(" · ")}]`;
  const changes = merge ? `\n\n${merge.note}` : "";
  if (task.status === "completed") {
    const answer = `${task.result?.trim() || "(No written answer.)"}${changes}\n\n${footer}`;
    // A conflict is this part's result to act on, never a quiet success.
    return merge?.outcome === "conflict" ? errorResult(answer) : textResult(answer);
  }
  const verb = formatEndVerb(task);
  const next = task.status === "paused" ? `\n\n${PAUSED_PART_NEXT}` : "";
  return errorResult(
    `The ${role} part ${verb} [${task.error?.code}]: ${task.error?.message}${changes}${next}\n\n${footer}`,
  );
}

/** What a delegating agent does about a part paused for a budget: delegate no more, and wrap up. */
const PAUSED_PART_NEXT =
  "Delegate nothing more now: every new part would pause too. Finish your turn with what you have, saying what remains; CCA pauses the task, and the part runs when a person resumes it.";
