import { z } from "zod";

/** Token counts and cost, as Claude Code reports them in a `result` line. */
export const TokenUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_creation_input_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export const TASK_PRIORITIES = ["low", "normal", "high", "critical"] as const;
export const TaskPrioritySchema = z.enum(TASK_PRIORITIES);
export type TaskPriority = z.infer<typeof TaskPrioritySchema>;

export const TASK_STATUSES = [
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
  "interrupted",
  "paused",
] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/**
 * True once a task neither runs nor waits to: it ended, or it is `paused` (a budget ran
 * out, and it waits for a person to resume it), so waits for it end. `interrupted`: it
 * was running when its daemon stopped or died, and `daemon.on_restart = "interrupt"` ended
 * it there.
 */
export function isTerminalStatus(status: TaskStatus): boolean {
  return status !== "queued" && status !== "running";
}

/**
 * A task's token budget: the most its whole team (the task and all its parts) may spend,
 * in tokens (input, output, cache writes and cache reads) and in US dollars. At the limit
 * no new turn starts; running turns finish and the task pauses.
 */
export const TaskBudgetSchema = z
  .strictObject({
    tokens: z
      .number({ error: "budget.tokens must be a whole number of tokens" })
      .int("budget.tokens must be a whole number of tokens")
      .positive("budget.tokens must be above 0")
      .optional(),
    usd: z
      .number({ error: "budget.usd must be a number of US dollars" })
      .positive("budget.usd must be above 0")
      .optional(),
  })
  .refine((budget) => budget.tokens !== undefined || budget.usd !== undefined, {
    message: 'a budget names tokens, usd or both, e.g. {"tokens": 200000}',
  });
export type TaskBudget = z.infer<typeof TaskBudgetSchema>;

export const AGENT_STATES = [
  "starting",
  "ready",
  "busy",
  "waiting_input",
  "stopping",
  "stopped",
  "failed",
] as const;
export const AgentStateSchema = z.enum(AGENT_STATES);
export type AgentState = z.infer<typeof AgentStateSchema>;

/** How an agent runs Claude Code: "headless" is `claude -p` speaking stream-json. */
export const AGENT_DRIVERS = ["headless", "interactive"] as const;
export const AgentDriverKindSchema = z.enum(AGENT_DRIVERS);
export type AgentDriverKind = z.infer<typeof AgentDriverKindSchema>;

/** An error as it travels on the wire and as it is stored on a failed task. */
export const ErrorInfoSchema = z.object({ code: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** The body of every HTTP error response; `details` where there is more to act on (e.g. a refused apply's files). */
export const ErrorBodySchema = z.object({
  error: ErrorInfoSchema.extend({ details: z.record(z.string(), z.unknown()).optional() }),
});

/** How a task's agents share the project: each in a git worktree of its own, or all in its folder. */
export const ISOLATION_MODES = ["worktree", "shared"] as const;
export const IsolationModeSchema = z.enum(ISOLATION_MODES);
export type IsolationMode = z.infer<typeof IsolationModeSchema>;

/**
 * Where a task's work happens. For a top-level task in worktree mode: its branch
 * `cca/<task id>` and the base it was made from (the project's HEAD at submission). For a
 * part: its own branch, the commit it started from, and the commit that holds its work.
 */
export const TaskWorkspaceSchema = z.object({
  isolation: IsolationModeSchema,
  branch: z.string().nullable().default(null),
  base: z.string().nullable().default(null),
  /** A part's commit of its changes; null when it changed nothing (or has not ended). */
  commit: z.string().nullable().default(null),
  /** Why the agents share the folder, when that was not asked for (e.g. not a git repository). */
  note: z.string().nullable().default(null),
  /** With `[projects] auto_apply`: what applying the task's branch at its end did, or why it was refused. */
  applied: z.string().nullable().default(null),
});
export type TaskWorkspace = z.infer<typeof TaskWorkspaceSchema>;

/** A conflicting file of a part's merge: how it conflicts, and its hunks (markers and context). */
export const ConflictFileSchema = z.object({
  path: z.string(),
  kind: z.string(),
  hunks: z.array(z.string()),
  binary: z.boolean(),
});

/**
 * What became of a part's changes once it ended (worktree isolation): merged into the task's
 * branch, nothing to merge, a conflict (nothing merged; the hunks say where), or not merged
 * because the part did not complete. `note` says it in words for the Coordinator.
 */
export const PartMergeSchema = z.object({
  outcome: z.enum(["merged", "no_changes", "conflict", "not_merged"]),
  task_branch: z.string(),
  part_branch: z.string(),
  /** The files the part changed (merged or not). */
  files: z.array(z.string()).default([]),
  conflicts: z.array(ConflictFileSchema).default([]),
  /** True when conflict hunks were trimmed to stay small. */
  truncated: z.boolean().default(false),
  note: z.string(),
});
export type PartMerge = z.infer<typeof PartMergeSchema>;

export const TaskSchema = z.object({
  id: z.string(),
  description: z.string(),
  priority: TaskPrioritySchema,
  status: TaskStatusSchema,
  parent_id: z.string().nullable(),
  /** The project the task works on: the absolute path of its git repository's root, or of its folder; null when none was given. */
  project: z.string().nullable().default(null),
  agent_id: z.string().nullable(),
  session_id: z.string().nullable(),
  result: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
  usage: TokenUsageSchema,
  num_turns: z.number().int().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** Wall time from acceptance to the end, as the daemon measured it. */
  duration_ms: z.number().nullable(),
  /** The agent's own account of its turn (`result.duration_ms`). */
  agent_duration_ms: z.number().nullable(),
  /** Where its agents work (worktree or shared); null for a task without a project. */
  workspace: TaskWorkspaceSchema.nullable().default(null),
  /** A top-level task's budget (its own, or `[budgets]`'s default); null: none. */
  budget: TaskBudgetSchema.nullable().default(null),
  /** When it was last resumed after a pause; a part's deadline counts from then. */
  resumed_at: z.string().nullable().default(null),
  /**
   * The team's total: the task's usage plus all its parts', recursively. The daemon sets it on
   * the tasks it lists and reads; read it with `teamUsage`.
   */
  team_usage: TokenUsageSchema.optional(),
  /**
   * How many parts the task has, at any depth. The daemon sets it with `team_usage`, on the
   * top-level tasks it lists and reads.
   */
  part_count: z.number().int().nonnegative().optional(),
});
export type Task = z.infer<typeof TaskSchema>;

/** A task with its subtasks, recursively; `total_usage` adds up the task and its whole subtree. */
export interface TaskTree extends Task {
  subtasks: TaskTree[];
  total_usage: TokenUsage;
}
export const TaskTreeSchema: z.ZodType<TaskTree> = TaskSchema.extend({
  total_usage: TokenUsageSchema,
  get subtasks() {
    return z.array(TaskTreeSchema);
  },
});

export const ToolUseSummarySchema = z.object({ name: z.string(), summary: z.string(), at: z.string() });
export type ToolUseSummary = z.infer<typeof ToolUseSummarySchema>;

export const AgentSchema = z.object({
  id: z.string(),
  role: z.string(),
  state: AgentStateSchema,
  driver: AgentDriverKindSchema,
  pid: z.number().int().nullable(),
  /**
   * Resident memory of its process tree (Claude Code and what it started), in bytes, when
   * the daemon could read it; absent or null otherwise (stopped, or another daemon's agent).
   */
  rss_bytes: z.number().int().nonnegative().nullable().optional(),
  session_id: z.string().nullable(),
  working_dir: z.string(),
  /** The project it works for (see Task.project); null when none. */
  project: z.string().nullable().default(null),
  current_task_id: z.string().nullable(),
  tasks_completed: z.number().int().nonnegative(),
  usage: TokenUsageSchema,
  last_tool: ToolUseSummarySchema.nullable(),
  last_error: ErrorInfoSchema.nullable(),
  created_at: z.string(),
  last_activity_at: z.string(),
  /** The daemon running it, when daemons share work (its consumer name); absent otherwise. */
  daemon: z.string().optional(),
});
export type Agent = z.infer<typeof AgentSchema>;

export const ACTIVITY_KINDS = [
  "task.queued",
  "task.started",
  "task.completed",
  "task.failed",
  "task.cancelled",
  "task.interrupted",
  "task.paused",
  "task.resumed",
  "task.retried",
  "agent.spawned",
  "agent.restarted",
  "agent.state",
  "agent.tool_use",
  "agent.text",
  "agent.message",
  "agent.stopped",
  "agent.compacted",
  "approval.requested",
  "approval.answered",
  "memory.distilled",
  "memory.distill_failed",
  "rate_limit.lowered",
  "routing.decided",
] as const;
export const ActivityKindSchema = z.enum(ACTIVITY_KINDS);
export type ActivityKind = z.infer<typeof ActivityKindSchema>;

/** One thing that happened, in the order the daemon saw it. */
export const ActivityEventSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  kind: ActivityKindSchema,
  agent_id: z.string().nullable(),
  task_id: z.string().nullable(),
  summary: z.string(),
});
export type ActivityEvent = z.infer<typeof ActivityEventSchema>;

/** One project the daemons have worked on, for `GET /api/v1/projects`. */
export const ProjectSummarySchema = z.object({
  /** The project: its git root, or its folder (absolute). */
  root: z.string(),
  /** The folder's name, for display. */
  name: z.string(),
  /** Top-level tasks by status, and their total. */
  tasks: z.record(z.string(), z.number().int().nonnegative()),
  /** Agents of the project not stopped, on any daemon. */
  agents: z.number().int().nonnegative(),
  /** Tokens and cost of all the project's tasks and their parts: the team's total. */
  usage: TokenUsageSchema,
  last_task_at: z.string(),
});
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

/** Upper bound on a task description, in characters; larger requests are refused with 413. */
export const MAX_TASK_DESCRIPTION_CHARS = 100_000;

export const CreateTaskRequestSchema = z.object({
  description: z
    .string({ error: "description is required and must be a string" })
    .trim()
    .min(1, "description must not be empty"),
  priority: TaskPrioritySchema.default("normal"),
  wait: z.boolean().default(false),
  timeout_s: z.number().positive().max(86_400).optional(),
  /**
   * The folder the task is about (the Command Center's project folder): absolute, and it
   * must exist. The task's project is its git repository's root, or the folder itself.
   */
  project_dir: z.string({ error: "project_dir must be a string: an absolute path" }).min(1).optional(),
  /** Send the task straight to an agent of this role (e.g. "backend"), without the Coordinator. */
  role: z.string({ error: "role must be a string naming an agent role" }).trim().min(1).optional(),
  /** The most the task's team may spend; absent: `[budgets]`'s default for tasks. */
  budget: TaskBudgetSchema.optional(),
});
export type CreateTaskRequest = z.input<typeof CreateTaskRequestSchema>;

export const CreateAgentRequestSchema = z.object({
  role: z.string({ error: "role is required and must be a string" }).min(1, "role must not be empty"),
  /** How the agent runs Claude Code, overriding its role's driver. */
  driver: AgentDriverKindSchema.optional(),
});

/**
 * `POST /api/v1/tasks/:id/resume`: a paused task's new budget (the whole task's, what it
 * spent included); absent: another budget of the size it had, on top of what it spent.
 */
export const ResumeTaskRequestSchema = z.strictObject({ budget: TaskBudgetSchema.optional() });
export type ResumeTaskRequest = z.infer<typeof ResumeTaskRequestSchema>;

/** What `POST /api/v1/tasks` answers with `wait`: the task, and whether the wait ran out first. */
export const TaskWaitResponseSchema = z.object({ task: TaskSchema, timed_out: z.boolean() });
export type TaskWaitResponse = z.infer<typeof TaskWaitResponseSchema>;

/** One dependency of the daemon (database, queue) as `GET /health` saw it. */
export const DependencyHealthSchema = z.object({
  kind: z.string(),
  up: z.boolean(),
  error: z.string().optional(),
});

/** `GET /health`: "degraded" while a dependency does not answer (the daemon itself is up). */
export const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  uptime_s: z.number(),
  dependencies: z.record(z.string(), DependencyHealthSchema).default({}),
  /** The ReasoningBank's embedding provider, so nobody mistakes hashed n-grams for a transformer. */
  memory: z.object({ embedding_model: z.string(), dimension: z.number().int() }).optional(),
});
export type Health = z.infer<typeof HealthSchema>;

export const DaemonStatusSchema = z.object({
  version: z.string(),
  pid: z.number().int(),
  uptime_s: z.number(),
  bind_address: z.string(),
  config_source: z.string().nullable(),
  bus: z.string(),
  agents: z.object({
    total: z.number().int(),
    max: z.number().int(),
    by_state: z.record(z.string(), z.number()),
  }),
  tasks: z.object({ total: z.number().int(), by_status: z.record(z.string(), z.number()) }),
  usage: TokenUsageSchema,
  /**
   * This daemon's turn limiter (rate limits): how many task turns may call the API at once
   * now, of at most `max`; those running and waiting; and until when new turns wait for the
   * API's `retry-after`. Absent from daemons before it.
   */
  turns: z
    .object({
      limit: z.number().int(),
      max: z.number().int(),
      active: z.number().int(),
      waiting: z.number().int(),
      wait_until: z.string().nullable(),
    })
    .optional(),
});
export type DaemonStatus = z.infer<typeof DaemonStatusSchema>;

/** Per-agent view for `GET /api/v1/activity`: what each agent is doing now, plus recent events. */
export const ActivityViewSchema = z.object({
  agents: z.array(
    z.object({
      id: z.string(),
      role: z.string(),
      state: AgentStateSchema,
      current_task_id: z.string().nullable(),
      last_tool: ToolUseSummarySchema.nullable(),
      usage: TokenUsageSchema,
    }),
  ),
  recent: z.array(ActivityEventSchema),
});
export type ActivityView = z.infer<typeof ActivityViewSchema>;

/** A usage record with every count at zero. */
export function emptyUsage(): TokenUsage {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cost_usd: 0,
  };
}

/**
 * The tokens and cost of the whole team on a task: its subtree total (a tree's `total_usage`,
 * else the daemon's `team_usage`), or only its own usage where the answer carries neither.
 */
export function teamUsage(task: Task | TaskTree): TokenUsage {
  if ("total_usage" in task) return task.total_usage;
  return task.team_usage ?? task.usage;
}

/** Adds `more` into `total` (mutating it) and returns it. */
export function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  total.input_tokens += more.input_tokens;
  total.output_tokens += more.output_tokens;
  total.cache_creation_input_tokens += more.cache_creation_input_tokens;
  total.cache_read_input_tokens += more.cache_read_input_tokens;
  total.cost_usd += more.cost_usd;
  return total;
}
