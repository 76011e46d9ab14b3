import { z } from "zod";

/** What an answer may remember: allow the same tool use again for the role, or for the role in this project. */
export const APPROVAL_REMEMBER = ["role", "project"] as const;
export const ApprovalRememberSchema = z.enum(APPROVAL_REMEMBER);
export type ApprovalRemember = z.infer<typeof ApprovalRememberSchema>;

export const APPROVAL_STATUSES = ["pending", "allowed", "denied", "expired", "cancelled"] as const;
export const ApprovalStatusSchema = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

/**
 * A tool use an agent asked to make that its role does not pre-allow: pending until someone
 * answers it (allowed or denied), it expires (`agents.approval_timeout_s`), or the agent's
 * turn ends first (cancelled).
 */
export const ApprovalSchema = z.object({
  id: z.string(),
  agent_id: z.string(),
  role: z.string(),
  /** The agent's project (see Task.project); null when none. */
  project: z.string().nullable(),
  /** The task the agent was working on (a part, for a specialist); null when none. */
  task_id: z.string().nullable(),
  /** The top-level task `task_id` belongs to (itself for a top-level task). */
  root_task_id: z.string().nullable(),
  /** Claude Code's name of the tool, e.g. `Bash`, `WebFetch`, `mcp__server__tool`. */
  tool_name: z.string(),
  /** The tool's input as Claude Code would run it. */
  input: z.record(z.string(), z.unknown()),
  /** One line saying what the agent wants to do, e.g. ``run `npm install` ``. */
  summary: z.string(),
  status: ApprovalStatusSchema,
  /** The answer's message (told to the agent with a denial), or why it expired. */
  message: z.string().nullable(),
  remember: ApprovalRememberSchema.nullable(),
  created_at: z.string(),
  /** When it stops waiting and becomes a denial. */
  expires_at: z.string(),
  answered_at: z.string().nullable(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

/** `GET /api/v1/approvals`: the pending approvals, with their age as the daemon saw it. */
export const PendingApprovalSchema = ApprovalSchema.extend({ age_s: z.number().nonnegative() });
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

/**
 * A remembered answer: tool uses it matches are allowed without asking (see `ruleMatches`).
 * `project` null: any project of the role.
 */
export const ApprovalRuleSchema = z.object({
  id: z.string(),
  role: z.string(),
  project: z.string().nullable(),
  tool_name: z.string(),
  /** For Bash: the exact command it allows; null: any use of the tool. */
  command: z.string().nullable(),
  /** The approval whose answer made it. */
  approval_id: z.string().nullable(),
  created_at: z.string(),
});
export type ApprovalRule = z.infer<typeof ApprovalRuleSchema>;

/** `POST /api/v1/approvals/:id`. */
export const AnswerApprovalRequestSchema = z.strictObject({
  allow: z.boolean({ error: "allow is required: true to allow the tool use, false to deny it" }),
  message: z
    .string({ error: "message must be a string" })
    .trim()
    .max(2000, "message must be at most 2000 characters")
    .optional(),
  remember: z
    .enum(APPROVAL_REMEMBER, {
      error: `remember must be one of: ${APPROVAL_REMEMBER.join(", ")} (allow it again for the role, or for the role in this project)`,
    })
    .optional(),
});
export type AnswerApprovalRequest = z.input<typeof AnswerApprovalRequestSchema>;

/** The tool whose rules match by exact command. */
const SHELL_TOOL = "Bash";

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The command of a Bash tool use, trimmed; undefined for other tools. */
export function commandOf(toolName: string, input: Record<string, unknown>): string | undefined {
  if (toolName !== SHELL_TOOL) return undefined;
  return text(input.command)?.trim();
}

/** At most `max` characters on one line. */
function clip(value: string, max = 160): string {
  const line = value.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * What a tool use does, in a few words: ``run `npm test` ``, ``fetch https://…``,
 * ``edit src/app.ts``, else ``use WebSearch``.
 */
export function describeToolUse(toolName: string, input: Record<string, unknown>): string {
  const command = commandOf(toolName, input);
  if (command !== undefined) return `run \`${clip(command)}\``;
  const url = text(input.url);
  if (url) return `fetch ${clip(url)} (${toolName})`;
  const path = text(input.file_path) ?? text(input.notebook_path) ?? text(input.path);
  if (path) return `${toolName === "Read" ? "read" : "edit"} ${clip(path)} (${toolName})`;
  const query = text(input.query);
  if (query) return `use ${toolName}: ${clip(query)}`;
  return `use ${toolName}`;
}

/** A tool use as rules see it. */
export interface ToolUseRequest {
  role: string;
  project: string | null;
  tool_name: string;
  input: Record<string, unknown>;
}

/**
 * Whether a remembered rule allows this tool use. The rule's role must be the agent's; a
 * rule with a project only serves that project. Bash rules allow one exact command (after
 * trimming), nothing longer or shorter: a prefix would also allow `npm test; rm -rf ~`.
 * Every other tool's rule allows the tool by name, whatever its input.
 */
export function ruleMatches(rule: ApprovalRule, use: ToolUseRequest): boolean {
  if (rule.role !== use.role || rule.tool_name !== use.tool_name) return false;
  if (rule.project !== null && rule.project !== use.project) return false;
  if (use.tool_name !== SHELL_TOOL) return true;
  return rule.command !== null && rule.command === commandOf(use.tool_name, use.input);
}

/** The rule an answer with `remember` stores for an approval. */
export function ruleFor(
  approval: Pick<Approval, "role" | "project" | "tool_name" | "input">,
  remember: ApprovalRemember,
): Pick<ApprovalRule, "role" | "project" | "tool_name" | "command"> {
  return {
    role: approval.role,
    project: remember === "project" ? approval.project : null,
    tool_name: approval.tool_name,
    command: commandOf(approval.tool_name, approval.input) ?? null,
  };
}

/** What the permission prompt tool answers Claude Code (`--permission-prompt-tool`). */
export const PermissionDecisionSchema = z.discriminatedUnion("behavior", [
  z.object({ behavior: z.literal("allow"), updatedInput: z.record(z.string(), z.unknown()) }),
  z.object({ behavior: z.literal("deny"), message: z.string() }),
]);
export type PermissionDecision = z.infer<typeof PermissionDecisionSchema>;
