import { z } from "zod";

/**
 * The Claude Code hook events the interactive driver listens to, as Claude Code posts them
 * (checked on 2.1.197). Parsed by key; later versions add keys, which pass through unread.
 */
const base = {
  session_id: z.string(),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
};

const SessionStartSchema = z.object({
  ...base,
  hook_event_name: z.literal("SessionStart"),
  /** `startup`, `resume`, `clear` or `compact`. */
  source: z.string().optional(),
});

const UserPromptSubmitSchema = z.object({
  ...base,
  hook_event_name: z.literal("UserPromptSubmit"),
  prompt: z.string(),
});

const StopSchema = z.object({
  ...base,
  hook_event_name: z.literal("Stop"),
  /** The turn's final text (Claude Code 2.1 and later). */
  last_assistant_message: z.string().optional(),
});

/** A turn that ended on an API error. */
const StopFailureSchema = z.object({
  ...base,
  hook_event_name: z.literal("StopFailure"),
  error: z.string().optional(),
  last_assistant_message: z.string().optional(),
});

const toolFields = {
  tool_name: z.string(),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  tool_use_id: z.string().optional(),
};

const PostToolUseSchema = z.object({
  ...base,
  hook_event_name: z.literal("PostToolUse"),
  ...toolFields,
  tool_response: z.unknown().optional(),
});

const PostToolUseFailureSchema = z.object({
  ...base,
  hook_event_name: z.literal("PostToolUseFailure"),
  ...toolFields,
  error: z.string().optional(),
});

const PermissionRequestSchema = z.object({
  ...base,
  hook_event_name: z.literal("PermissionRequest"),
  ...toolFields,
});

const NotificationSchema = z.object({
  ...base,
  hook_event_name: z.literal("Notification"),
  message: z.string().optional(),
  /** e.g. `permission_prompt`, `idle_prompt`. */
  notification_type: z.string().optional(),
});

/** The name the relay gives the status line's input, which has none of its own (it is not a hook). */
export const STATUS_LINE_EVENT = "StatusLine";

/**
 * What Claude Code gives its status line command after each change of the conversation
 * (about 300 ms later): its own running cost of the process, and the context window's use.
 */
const StatusLineSchema = z.object({
  ...base,
  hook_event_name: z.literal(STATUS_LINE_EVENT),
  model: z.object({ id: z.string(), display_name: z.string().optional() }).partial().optional(),
  cost: z.object({ total_cost_usd: z.number().nonnegative() }).optional(),
  context_window: z
    .object({
      context_window_size: z.number().nullable(),
      used_percentage: z.number().nullable(),
    })
    .partial()
    .optional(),
});

export const HookEventSchema = z.discriminatedUnion("hook_event_name", [
  SessionStartSchema,
  UserPromptSubmitSchema,
  StopSchema,
  StopFailureSchema,
  PostToolUseSchema,
  PostToolUseFailureSchema,
  PermissionRequestSchema,
  NotificationSchema,
  StatusLineSchema,
]);

export type HookEvent = z.infer<typeof HookEventSchema>;
export type HookEventName = HookEvent["hook_event_name"];
export type PermissionRequestEvent = z.infer<typeof PermissionRequestSchema>;
export type StatusLineEvent = z.infer<typeof StatusLineSchema>;

/** The events a driver subscribes to; SessionStart cannot be an HTTP hook (Claude Code skips it). */
export const HTTP_HOOK_EVENTS = [
  "UserPromptSubmit",
  "Stop",
  "StopFailure",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
  "Notification",
] as const satisfies readonly HookEventName[];

/** What a PermissionRequest hook answers: the decision Claude Code applies instead of asking. */
export function permissionDecision(
  decision: { allow: true; updatedInput?: Record<string, unknown> } | { allow: false; message: string },
): unknown {
  return {
    hookSpecificOutput: {
      hookEventName: "PermissionRequest",
      decision: decision.allow
        ? { behavior: "allow", ...(decision.updatedInput ? { updatedInput: decision.updatedInput } : {}) }
        : { behavior: "deny", message: decision.message },
    },
  };
}

/** A tool's response as text for a transcript line: strings as they are, anything else as JSON. */
export function toolResponseText(response: unknown): string {
  if (response === undefined || response === null) return "";
  if (typeof response === "string") return response;
  const record = response as Record<string, unknown>;
  if (typeof record.stdout === "string" || typeof record.stderr === "string") {
    return [record.stdout, record.stderr].filter((part) => typeof part === "string" && part).join("\n");
  }
  return JSON.stringify(response);
}
