import {
  CcaError,
  type EventBus,
  type Logger,
  noopLogger,
  type ProjectSummary,
  type RedundancyReport,
} from "@cca/core";
import type { ReasoningBank, RoutingExperienceRepository, TokenUsageRepository } from "@cca/memory";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ActivityLog } from "../activity/activity-log.js";
import type { AgentManager } from "../agents/agent-manager.js";
import type { ApprovalInbox } from "../approvals/approval-inbox.js";
import { createTaskFeedback } from "../memory/task-feedback.js";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import type { TaskRouter } from "../routing/task-router.js";
import type { Workspaces } from "../workspaces/workspaces.js";
import { requireToken } from "./auth.js";
import { errorResponse, notFound } from "./errors.js";
import { activityRoutes } from "./routes/activity.js";
import { agentLogRoutes } from "./routes/agent-logs.js";
import { agentMessageRoutes } from "./routes/agent-messages.js";
import { type AgentDirectory, agentRoutes } from "./routes/agents.js";
import { approvalRoutes } from "./routes/approvals.js";
import { type EventStreamLimits, eventRoutes } from "./routes/events.js";
import { type Dependencies, healthRoutes } from "./routes/health.js";
import { learningRoutes } from "./routes/learning.js";
import { memoryRoutes } from "./routes/memory.js";
import { projectRoutes } from "./routes/projects.js";
import { type StatusSource, statusRoutes } from "./routes/status.js";
import { taskFeedbackRoutes } from "./routes/task-feedback.js";
import { taskWorkspaceRoutes } from "./routes/task-workspace.js";
import { taskRoutes } from "./routes/tasks.js";
import { tokenRoutes } from "./routes/tokens.js";
import { worktreeRoutes } from "./routes/worktrees.js";

export interface AppDeps {
  orchestrator: Orchestrator;
  agents: AgentManager;
  /** The agents of every daemon on the database, for listings. */
  agentDirectory?: AgentDirectory;
  /** `$CLAUDE_CONFIG_DIR` as the agents see it, where their transcripts are (`GET /agents/:id/logs`). */
  claudeConfigDir: string;
  /** Each project's totals, for `GET /api/v1/projects`. */
  listProjects: () => Promise<ProjectSummary[]>;
  /** Tasks' branches, changes, diffs and apply; agents' worktrees. */
  workspaces: Workspaces;
  /** The approval inbox, for `/api/v1/approvals`. */
  approvals?: ApprovalInbox;
  /** The agents' MCP endpoint (`/agent-mcp`), which takes agent credentials, not the access token. */
  agentMcp?: Hono;
  /** The ReasoningBank, for `/api/v1/memory`; its embedding provider shows in `GET /health`. */
  memory?: ReasoningBank;
  /** The router and its experiences, for `/api/v1/rl/*`. */
  learning?: { router: TaskRouter; experiences?: RoutingExperienceRepository };
  /** Every turn's tokens, for `GET /api/v1/tokens`. */
  tokens?: Pick<TokenUsageRepository, "report">;
  /** A task tree's redundancy report, for `GET /api/v1/tasks/:id/redundancy`. */
  redundancy?: (taskId: string) => Promise<RedundancyReport>;
  /** What the daemon depends on, checked by `GET /health`. */
  dependencies?: Dependencies;
  activity: ActivityLog;
  bus: EventBus;
  status: StatusSource;
  /** The access token every request but `GET /health` must carry. */
  token: string;
  version: string;
  /** Task wait ceiling when `timeout_s` is absent. */
  defaultWaitMs: number;
  startedAt: number;
  /** Limits of `GET /api/v1/events` (`daemon.max_event_streams`, `daemon.max_event_backlog`). */
  eventStreamLimits?: EventStreamLimits;
  logger?: Logger;
}

/** Largest request body accepted, in bytes (a description may be up to 100 000 characters of UTF-8). */
export const MAX_BODY_BYTES = 512 * 1024;

/**
 * The daemon's HTTP API as a hono app; serve it with @hono/node-server, or call
 * `app.request(...)` in tests.
 * @example const app = createApp(deps); await app.request("/health");
 */
export function createApp(deps: AppDeps): Hono {
  const logger = deps.logger ?? noopLogger;
  const app = new Hono();
  app.onError((error, context) => errorResponse(context, error, logger));
  app.notFound((context) => errorResponse(context, notFound(context.req.method, context.req.path), logger));
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new CcaError("payload_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  // Before the token check, which it does not pass: it checks each agent's own credential.
  if (deps.agentMcp) app.route("/", deps.agentMcp);
  app.use(requireToken(deps.token));
  app.route("/", healthRoutes(deps));
  app.route("/api/v1", statusRoutes(deps));
  app.route("/api/v1", agentRoutes(deps));
  app.route("/api/v1", agentLogRoutes(deps));
  app.route("/api/v1", agentMessageRoutes(deps));
  app.route("/api/v1", taskRoutes(deps));
  app.route("/api/v1", taskWorkspaceRoutes(deps));
  app.route("/api/v1", worktreeRoutes(deps));
  app.route("/api/v1", projectRoutes(deps));
  app.route("/api/v1", activityRoutes(deps));
  app.route("/api/v1", eventRoutes(deps));
  if (deps.approvals) app.route("/api/v1", approvalRoutes({ approvals: deps.approvals }));
  if (deps.tokens) {
    app.route(
      "/api/v1",
      tokenRoutes({ tokens: deps.tokens, ...(deps.redundancy ? { redundancy: deps.redundancy } : {}) }),
    );
  }
  if (deps.learning) app.route("/api/v1", learningRoutes(deps.learning));
  if (deps.memory) {
    app.route("/api/v1", memoryRoutes({ memory: deps.memory }));
    const feedback = createTaskFeedback({ bank: deps.memory, orchestrator: deps.orchestrator });
    app.route("/api/v1", taskFeedbackRoutes({ feedback }));
  }
  return app;
}
