import { z } from "zod";
import {
  type AgentLogsQuery,
  type AgentLogsResponse,
  AgentLogsResponseSchema,
} from "../domain/agent-logs.js";
import {
  type AnswerApprovalRequest,
  type Approval,
  type ApprovalRule,
  ApprovalRuleSchema,
  ApprovalSchema,
  type PendingApproval,
  PendingApprovalSchema,
} from "../domain/approvals.js";
import {
  type MemoryItem,
  MemoryItemSchema,
  type MemorySearchResponse,
  MemorySearchResponseSchema,
  type MemoryStats,
  MemoryStatsSchema,
  type NewMemoryItem,
  type TaskFeedbackRequest,
  type TaskFeedbackResult,
  TaskFeedbackResultSchema,
} from "../domain/memory-items.js";
import { type RedundancyReport, RedundancyReportSchema } from "../domain/redundancy.js";
import {
  type RlStatus,
  RlStatusSchema,
  type RlTrainResult,
  RlTrainResultSchema,
  type RoutePreview,
  RoutePreviewSchema,
  type RoutingExperience,
  RoutingExperienceSchema,
  type RoutingPolicy,
} from "../domain/routing.js";
import {
  type ActivityEvent,
  ActivityEventSchema,
  type ActivityView,
  ActivityViewSchema,
  type Agent,
  type AgentDriverKind,
  AgentSchema,
  type CreateTaskRequest,
  type DaemonStatus,
  DaemonStatusSchema,
  ErrorBodySchema,
  type Health,
  HealthSchema,
  isTerminalStatus,
  type ProjectSummary,
  ProjectSummarySchema,
  type ResumeTaskRequest,
  type Task,
  TaskSchema,
  type TaskStatus,
  type TaskTree,
  TaskTreeSchema,
  type TaskWaitResponse,
  TaskWaitResponseSchema,
} from "../domain/schemas.js";
import { type TokenReport, type TokenReportQuery, TokenReportSchema } from "../domain/token-reports.js";
import {
  type ApplyResult,
  ApplyResultSchema,
  type TaskChanges,
  TaskChangesSchema,
  type Worktree,
  type WorktreePruneReport,
  WorktreePruneReportSchema,
  WorktreeSchema,
} from "../domain/workspace-schemas.js";
import { CcaError, isErrorCode } from "../errors/cca-error.js";
import { readSseEvents } from "./sse.js";

/** How long `createTaskAndWait` waits when the request names no `timeout_s`. */
const DEFAULT_WAIT_S = 300;
/** The longest single HTTP wait, well under the 300 s after which Node's fetch gives up. */
const WAIT_CHUNK_S = 60;

export interface DaemonClientOptions {
  /** e.g. `http://127.0.0.1:9200` */
  baseUrl: string;
  /**
   * The daemon's access token (`$CCA_HOME/token`), or a function read before each request
   * (a client may start before the daemon first writes its token, or outlive a new one).
   */
  token?: string | (() => string | undefined);
  fetch?: typeof fetch;
  /** The longest single HTTP wait in `createTaskAndWait`, in seconds (default 60). */
  waitChunkS?: number;
}

/** A typed client for ccad's HTTP API. Every method throws CcaError on failure. */
export interface DaemonClient {
  readonly baseUrl: string;
  health(): Promise<Health>;
  status(): Promise<DaemonStatus>;
  listAgents(): Promise<Agent[]>;
  /** The projects the daemons have worked on, most recent first. */
  listProjects(): Promise<ProjectSummary[]>;
  getAgent(id: string): Promise<Agent>;
  /** Starts an agent of `role`; `driver` overrides the role's (e.g. "interactive"). */
  spawnAgent(role: string, options?: { driver?: AgentDriverKind }): Promise<Agent>;
  stopAgent(id: string): Promise<Agent>;
  /**
   * Sends an agent a message as a turn: a task of its role pinned to it, queued while it is
   * busy (`agent_not_found` / `agent_stopped` when there is no live agent of that id).
   */
  sendAgentMessage(agentId: string, message: string): Promise<Task>;
  /**
   * The agent's transcript as log entries: the newest `lines`, or with `after` (an earlier
   * answer's `next_cursor`) only what was written since.
   */
  agentLogs(id: string, query?: AgentLogsQuery, signal?: AbortSignal): Promise<AgentLogsResponse>;
  createTask(request: CreateTaskRequest & { wait?: false }): Promise<Task>;
  /**
   * Creates a task and waits up to `timeout_s` (default 300) for it to end. Long waits are
   * split into requests of at most a minute, so no HTTP timeout on the way cuts them short.
   */
  createTaskAndWait(request: CreateTaskRequest, signal?: AbortSignal): Promise<TaskWaitResponse>;
  /** Tasks, newest first, filtered by the daemon (see `TaskListOptions`). */
  listTasks(options?: TaskListOptions): Promise<Task[]>;
  getTask(id: string): Promise<Task>;
  /** The task with its subtasks, recursively, each with its usage and subtree totals. */
  getTaskTree(id: string): Promise<TaskTree>;
  /** Long-polls a task: answers when it ends or after `waitS` seconds, whichever is first. */
  waitForTask(id: string, waitS: number, signal?: AbortSignal): Promise<Task>;
  cancelTask(id: string): Promise<Task>;
  /**
   * Resumes a paused task: with `budget`, its new total (what it spent included); without,
   * another budget of the size it had. Resolves with the task queued again.
   */
  resumeTask(id: string, request?: ResumeTaskRequest): Promise<Task>;
  /** What several agents of a task's tree were sent (the same file read, the same text pasted), with estimated tokens. */
  taskRedundancy(id: string): Promise<RedundancyReport>;
  /** What the task's branch changed: per part and in total (`no_task_branch` when it has none). */
  taskChanges(id: string): Promise<TaskChanges>;
  /** The patch of the task's branch against its base, as `git diff` prints it. */
  taskDiff(id: string): Promise<string>;
  /** Merges the task's branch into the project's current branch; a refusal throws with `details.files`. */
  applyTask(id: string): Promise<ApplyResult>;
  /** The agents' git worktrees of one project (a folder in it), or of every project. */
  listWorktrees(project?: string): Promise<Worktree[]>;
  /** Removes the clean worktrees of one project, or of every project; says what it kept and why. */
  pruneWorktrees(project?: string): Promise<WorktreePruneReport>;
  activity(): Promise<ActivityView>;
  /** Live events until `signal` aborts or the daemon closes the stream. */
  events(signal?: AbortSignal): AsyncGenerator<ActivityEvent>;
  /** Pending approvals, oldest first; with `taskId`, only those of that top-level task's tree. */
  listApprovals(options?: { taskId?: string }): Promise<PendingApproval[]>;
  /** Allows or denies a pending approval (optionally remembering the answer as a rule). */
  answerApproval(id: string, answer: AnswerApprovalRequest): Promise<Approval>;
  /** The remembered rules, newest first. */
  listApprovalRules(): Promise<ApprovalRule[]>;
  /** Removes a remembered rule; resolves with it. */
  deleteApprovalRule(id: string): Promise<ApprovalRule>;
  /** Stores a ReasoningBank item. */
  addMemory(item: NewMemoryItem): Promise<MemoryItem>;
  /** The items that fit `query`, best first (none below the similarity threshold). */
  searchMemory(
    query: string,
    options?: { limit?: number; projectDir?: string },
  ): Promise<MemorySearchResponse>;
  getMemory(id: string): Promise<MemoryItem>;
  forgetMemory(id: string): Promise<void>;
  memoryStats(): Promise<MemoryStats>;
  /** Every turn's tokens, grouped by role (default), project, day or top-level task. */
  tokenReport(query?: TokenReportQuery): Promise<TokenReport>;
  /** Every item as JSON lines. */
  exportMemory(): Promise<string>;
  /** JSON lines as `exportMemory` gives them; all or nothing. */
  importMemory(jsonl: string): Promise<{ imported: number }>;
  /** Embeds anew the items of another provider or dimension. */
  reembedMemory(): Promise<{ reembedded: number; embedding_model: string }>;
  /** How an ended task went: moves the counters of the items it was given; a note becomes an item. */
  taskFeedback(taskId: string, feedback: TaskFeedbackRequest): Promise<TaskFeedbackResult>;
  /** What the router does (`[learning]`), its gates, and each policy's training and outcomes by source. */
  rlStatus(): Promise<RlStatus>;
  /** How a description would be routed now, with every role's estimate. */
  rlPolicy(query: { description: string; policy?: RoutingPolicy; role?: string }): Promise<RoutePreview>;
  /** Rebuilds the routing models from every settled experience. */
  rlTrain(): Promise<RlTrainResult>;
  /** A page of routing decisions, oldest first; `next_after` continues (null at the end). */
  rlExperiences(page?: {
    after?: string;
    limit?: number;
  }): Promise<{ items: RoutingExperience[]; next_after: string | null }>;
}

/** A request body sent as it is, not as JSON. */
class TextBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

/**
 * Creates a client for a running daemon.
 * @example
 * const client = createDaemonClient({ baseUrl: resolveDaemonUrl(), token: readAccessToken() });
 * const task = await client.createTask({ description: "Add a health check" });
 */
export function createDaemonClient(options: DaemonClientOptions): DaemonClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;

  async function send(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    accept = "application/json",
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    const token = typeof options.token === "function" ? options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body instanceof TextBody) headers["content-type"] = body.contentType;
    else if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body instanceof TextBody ? body.text : body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new CcaError(
        "daemon_unreachable",
        `The CCA daemon is not reachable at ${baseUrl}. Start it with \`cca daemon start\` (or run \`ccad\`), or set CCA_DAEMON_URL to where it runs.`,
        { cause: error, details: { baseUrl } },
      );
    }
    if (!response.ok) throw await toError(response);
    return response;
  }

  async function request<T>(
    schema: z.ZodType<T>,
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ) {
    const response = await send(method, path, body, signal);
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) {
      throw new CcaError(
        "internal",
        `Unexpected answer from the daemon for ${method} ${path}: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  }

  const taskList = TaskSchema.array();
  const agentList = AgentSchema.array();
  const id = (value: string) => encodeURIComponent(value);

  return {
    baseUrl,
    health: () => request(HealthSchema, "GET", "/health"),
    status: () => request(DaemonStatusSchema, "GET", "/api/v1/status"),
    listAgents: () => request(agentList, "GET", "/api/v1/agents"),
    listProjects: () => request(ProjectSummarySchema.array(), "GET", "/api/v1/projects"),
    getAgent: (agentId) => request(AgentSchema, "GET", `/api/v1/agents/${id(agentId)}`),
    spawnAgent: (role, options = {}) => request(AgentSchema, "POST", "/api/v1/agents", { role, ...options }),
    stopAgent: (agentId) => request(AgentSchema, "DELETE", `/api/v1/agents/${id(agentId)}`),
    agentLogs: (agentId, query = {}, signal) =>
      request(
        AgentLogsResponseSchema,
        "GET",
        `/api/v1/agents/${id(agentId)}/logs${agentLogsQuery(query)}`,
        undefined,
        signal,
      ),
    sendAgentMessage: (agentId, message) =>
      request(TaskSchema, "POST", `/api/v1/agents/${id(agentId)}/messages`, { message }),
    createTask: (body) => request(TaskSchema, "POST", "/api/v1/tasks", { ...body, wait: false }),
    async createTaskAndWait(body, signal) {
      const deadline = Date.now() + (body.timeout_s ?? DEFAULT_WAIT_S) * 1000;
      const chunkS = () =>
        Math.max(0, Math.min(options.waitChunkS ?? WAIT_CHUNK_S, (deadline - Date.now()) / 1000));
      const first = await request(
        TaskWaitResponseSchema,
        "POST",
        "/api/v1/tasks",
        { ...body, wait: true, timeout_s: Math.max(0.001, chunkS()) },
        signal,
      );
      let task = first.task;
      while (!isTerminalStatus(task.status) && chunkS() > 0) {
        task = await request(
          TaskSchema,
          "GET",
          `/api/v1/tasks/${id(task.id)}?wait_s=${chunkS()}`,
          undefined,
          signal,
        );
      }
      return { task, timed_out: !isTerminalStatus(task.status) };
    },
    listTasks: (options = {}) => request(taskList, "GET", `/api/v1/tasks${taskListQuery(options)}`),
    getTask: (taskId) => request(TaskSchema, "GET", `/api/v1/tasks/${id(taskId)}`),
    getTaskTree: (taskId) => request(TaskTreeSchema, "GET", `/api/v1/tasks/${id(taskId)}/tree`),
    waitForTask: (taskId, waitS, signal) =>
      request(TaskSchema, "GET", `/api/v1/tasks/${id(taskId)}?wait_s=${waitS}`, undefined, signal),
    cancelTask: (taskId) => request(TaskSchema, "POST", `/api/v1/tasks/${id(taskId)}/cancel`),
    taskRedundancy: (taskId) =>
      request(RedundancyReportSchema, "GET", `/api/v1/tasks/${id(taskId)}/redundancy`),
    resumeTask: (taskId, resume = {}) =>
      request(TaskSchema, "POST", `/api/v1/tasks/${id(taskId)}/resume`, resume),
    taskChanges: (taskId) => request(TaskChangesSchema, "GET", `/api/v1/tasks/${id(taskId)}/changes`),
    async taskDiff(taskId) {
      const path = `/api/v1/tasks/${id(taskId)}/diff`;
      return (await send("GET", path, undefined, undefined, "text/plain")).text();
    },
    applyTask: (taskId) => request(ApplyResultSchema, "POST", `/api/v1/tasks/${id(taskId)}/apply`),
    listWorktrees: (project) =>
      request(
        WorktreeSchema.array(),
        "GET",
        `/api/v1/worktrees${project ? `?project=${encodeURIComponent(project)}` : ""}`,
      ),
    pruneWorktrees: (project) =>
      request(WorktreePruneReportSchema, "POST", "/api/v1/worktrees/prune", project ? { project } : {}),
    activity: () => request(ActivityViewSchema, "GET", "/api/v1/activity"),
    listApprovals: (options = {}) =>
      request(
        PendingApprovalSchema.array(),
        "GET",
        `/api/v1/approvals${options.taskId ? `?task=${id(options.taskId)}` : ""}`,
      ),
    answerApproval: (approvalId, answer) =>
      request(ApprovalSchema, "POST", `/api/v1/approvals/${id(approvalId)}`, answer),
    listApprovalRules: () => request(ApprovalRuleSchema.array(), "GET", "/api/v1/approvals/rules"),
    deleteApprovalRule: (ruleId) =>
      request(ApprovalRuleSchema, "DELETE", `/api/v1/approvals/rules/${id(ruleId)}`),
    addMemory: (item) => request(MemoryItemSchema, "POST", "/api/v1/memory", item),
    searchMemory: (query, options = {}) => {
      const params = new URLSearchParams({ query });
      if (options.limit !== undefined) params.set("limit", String(options.limit));
      if (options.projectDir) params.set("project_dir", options.projectDir);
      return request(MemorySearchResponseSchema, "GET", `/api/v1/memory?${params}`);
    },
    getMemory: (memoryId) => request(MemoryItemSchema, "GET", `/api/v1/memory/${id(memoryId)}`),
    taskFeedback: (taskId, feedback) =>
      request(TaskFeedbackResultSchema, "POST", `/api/v1/tasks/${id(taskId)}/feedback`, feedback),
    memoryStats: () => request(MemoryStatsSchema, "GET", "/api/v1/memory/stats"),
    rlStatus: () => request(RlStatusSchema, "GET", "/api/v1/rl/status"),
    rlPolicy: (query) => {
      const params = new URLSearchParams({ description: query.description });
      if (query.policy) params.set("policy", query.policy);
      if (query.role) params.set("role", query.role);
      return request(RoutePreviewSchema, "GET", `/api/v1/rl/policy?${params}`);
    },
    rlTrain: () => request(RlTrainResultSchema, "POST", "/api/v1/rl/train"),
    rlExperiences: (page = {}) => {
      const params = new URLSearchParams();
      if (page.after) params.set("after", page.after);
      if (page.limit !== undefined) params.set("limit", String(page.limit));
      return request(
        z.object({ items: z.array(RoutingExperienceSchema), next_after: z.string().nullable() }),
        "GET",
        `/api/v1/rl/experiences${params.size > 0 ? `?${params}` : ""}`,
      );
    },
    tokenReport: (query = {}) => {
      const params = new URLSearchParams();
      if (query.by) params.set("by", query.by);
      if (query.since) params.set("since", query.since);
      if (query.task_id) params.set("task_id", query.task_id);
      return request(TokenReportSchema, "GET", `/api/v1/tokens${params.size > 0 ? `?${params}` : ""}`);
    },
    async exportMemory() {
      return (
        await send("GET", "/api/v1/memory/export", undefined, undefined, "application/x-ndjson")
      ).text();
    },
    importMemory: (jsonl) =>
      request(
        z.object({ imported: z.number().int() }),
        "POST",
        "/api/v1/memory/import",
        new TextBody(jsonl, "application/x-ndjson"),
      ),
    reembedMemory: () =>
      request(
        z.object({ reembedded: z.number().int(), embedding_model: z.string() }),
        "POST",
        "/api/v1/memory/reembed",
        {},
      ),
    async forgetMemory(memoryId) {
      await (await send("DELETE", `/api/v1/memory/${id(memoryId)}`)).arrayBuffer();
    },
    async *events(signal) {
      const response = await send("GET", "/api/v1/events", undefined, signal);
      if (!response.body) return;
      for await (const event of readSseEvents(response.body, signal)) {
        const parsed = ActivityEventSchema.safeParse(JSON.parse(event.data));
        if (parsed.success) yield parsed.data;
      }
    },
  };
}

async function toError(response: Response): Promise<CcaError> {
  const text = await response.text();
  try {
    const body = ErrorBodySchema.parse(JSON.parse(text));
    const code = isErrorCode(body.error.code) ? body.error.code : "internal";
    return new CcaError(code, body.error.message, {
      details: { ...body.error.details, status: response.status },
    });
  } catch {
    return new CcaError("internal", `The daemon answered HTTP ${response.status}: ${text.slice(0, 200)}`, {
      details: { status: response.status },
    });
  }
}

/** Filters of `GET /api/v1/tasks`, applied by the daemon's database. */
export interface TaskListOptions {
  /** 1–1000; the daemon's default is 100. */
  limit?: number;
  status?: TaskStatus | readonly TaskStatus[];
  /** "none": top-level tasks only; a task id: its parts. */
  parent?: string;
  project?: string;
  /** ISO time: tasks created at or after it. */
  since?: string;
  /** The `x-next-cursor` header of the page before. */
  cursor?: string;
}

function taskListQuery(options: TaskListOptions): string {
  const query = new URLSearchParams();
  if (options.limit) query.set("limit", String(options.limit));
  if (options.status)
    query.set("status", typeof options.status === "string" ? options.status : options.status.join(","));
  for (const key of ["parent", "project", "since", "cursor"] as const) {
    const value = options[key];
    if (value) query.set(key, value);
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

function agentLogsQuery(options: AgentLogsQuery): string {
  const query = new URLSearchParams();
  if (options.lines !== undefined) query.set("lines", String(options.lines));
  if (options.after !== undefined) query.set("after", options.after);
  const text = query.toString();
  return text ? `?${text}` : "";
}
