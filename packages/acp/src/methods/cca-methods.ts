import {
  ActivityEventSchema,
  PartMergeSchema,
  PermissionDecisionSchema,
  TaskSchema,
  TaskTreeSchema,
} from "@cca/core";
import { z } from "zod";
import { defineNotification, defineRequest } from "../descriptors.js";

/**
 * The CCA agent protocol's own methods, spoken between the daemon (server) and agent
 * bridges, the CLI and other tools (clients). Each constant is the one definition of a
 * method: its wire name, params and result.
 */

/** Binds this connection to an agent; the answer says which bridge tools the agent gets. */
export const AgentRegister = defineRequest(
  "agent/register",
  z.object({ agent_id: z.string().min(1, "agent_id must not be empty") }),
  z.object({
    agent_id: z.string(),
    role: z.string(),
    tools: z.array(z.string()),
    /** How long the daemon waits for an answer to an approval (`agents.approval_timeout_s`). */
    approval_timeout_s: z.number().positive().optional(),
  }),
);

/** A registered bridge's sign of life; the daemon records when it last heard from the agent. */
export const AgentHeartbeat = defineRequest("agent/heartbeat", z.object({}), z.object({ at: z.string() }));

/**
 * Runs a subtask of the registered agent's current task on an agent of `role` and answers
 * with the ended subtask (completed, failed or cancelled: a failure is a result, not an error).
 * `delegation_id`, chosen by the caller, tags the `task/progress` notifications about it.
 */
export const TaskDelegate = defineRequest(
  "task/delegate",
  z.object({
    role: z.string().min(1, "role must not be empty"),
    task: z.string().trim().min(1, "task must not be empty: say what the specialist should do"),
    context: z.string().optional(),
    timeout_s: z.number().positive().max(86_400).optional(),
    delegation_id: z.string().optional(),
  }),
  /** The ended part, and with worktree isolation what became of its changes. */
  z.object({ task: TaskSchema, merge: PartMergeSchema.nullable().default(null) }),
);

/** What a delegated subtask is doing, sent to the bridge that delegated it while it runs. */
export const TaskProgress = defineNotification(
  "task/progress",
  z.object({ delegation_id: z.string().nullable(), task_id: z.string(), summary: z.string() }),
);

/** A task's result with its subtask tree, usage and cost. */
export const TaskResult = defineRequest(
  "task/result",
  z.object({ task_id: z.string().min(1) }),
  TaskTreeSchema,
);

/** Leaves a message for an agent id or every agent of a role; they read it at their next turn. */
export const AgentSend = defineRequest(
  "agent/send",
  z.object({
    to: z.string().min(1, "to must name an agent id or a role"),
    message: z.string().trim().min(1, "message must not be empty"),
  }),
  z.object({ delivered_to: z.array(z.string()) }),
);

/** Leaves a message for every other live agent. */
export const AgentBroadcast = defineRequest(
  "agent/broadcast",
  z.object({ message: z.string().trim().min(1, "message must not be empty") }),
  z.object({ delivered_to: z.array(z.string()) }),
);

/** Starts `events/activity` notifications on this connection, for one task's tree or for everything. */
export const EventsSubscribe = defineRequest(
  "events/subscribe",
  z.object({ task_id: z.string().optional() }),
  z.object({ subscribed: z.literal(true) }),
);

/** One activity event, to connections that subscribed. */
export const EventsActivity = defineNotification("events/activity", ActivityEventSchema);

/**
 * Asks for a person's approval of a tool use the registered agent's role does not pre-allow
 * (Claude Code's `--permission-prompt-tool`). Answers when someone allows or denies it, or
 * with a denial that says why when nobody answers within `agents.approval_timeout_s`, or a
 * remembered rule allows it at once. Cancelling the request withdraws the approval.
 */
export const ApprovalRequest = defineRequest(
  "approval/request",
  z.object({
    tool_name: z.string().min(1, "tool_name must name the tool"),
    input: z.record(z.string(), z.unknown()),
    tool_use_id: z.string().optional(),
  }),
  PermissionDecisionSchema,
);
