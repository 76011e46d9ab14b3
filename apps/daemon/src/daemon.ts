import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  addUsage,
  type Config,
  type EventBus,
  InMemoryEventBus,
  LocalTaskScheduler,
  type Logger,
  noopLogger,
  type PermissionDecision,
  type TaskScheduler,
  type TaskTree,
  tokenPath,
} from "@cca/core";
import {
  AgentRepository,
  ApprovalRepository,
  ContextReadRepository,
  DaemonRepository,
  type Database,
  ReasoningBank,
  RoutingExperienceRepository,
  SnapshotRepository,
  TaskRepository,
  TokenUsageRepository,
} from "@cca/memory";
import { type ServerType, serve } from "@hono/node-server";
import { ensureAccessToken } from "./access-token.js";
import { ACP_PATH, type AcpEndpoint, createAcpEndpoint } from "./acp/acp-endpoint.js";
import { AgentCredentials } from "./acp/agent-credentials.js";
import { createAgentMcpEndpoint } from "./acp/agent-mcp-endpoint.js";
import { createBridgeLauncher } from "./acp/bridge-launch.js";
import { ActivityLog } from "./activity/activity-log.js";
import type { AgentDriverFactory } from "./agents/agent-driver.js";
import { AgentManager } from "./agents/agent-manager.js";
import { AgentRecords } from "./agents/agent-records.js";
import { ContextSnapshots } from "./agents/context-snapshots.js";
import { createDriverFactory } from "./agents/drivers/create-driver.js";
import { agentEnvironment } from "./agents/launch-args.js";
import { RoleCatalog } from "./agents/role-catalog.js";
import { claudeConfigDirOf } from "./agents/transcript/index.js";
import { ApprovalInbox } from "./approvals/approval-inbox.js";
import { rootTaskOf } from "./approvals/root-task.js";
import { createAttachEndpoint } from "./attach/attach-endpoint.js";
import { createGitRunner } from "./git/index.js";
import { createApp } from "./http/app.js";
import { checkBindAddress } from "./http/bind-check.js";
import { attachUpgradeDispatcher } from "./http/upgrade-dispatcher.js";
import { distillerTurn } from "./memory/distiller-turn.js";
import { embeddingsFor } from "./memory/embeddings.js";
import { TaskDistiller } from "./memory/task-distiller.js";
import { createTaskMemory } from "./memory/task-memory.js";
import { Budgets } from "./orchestrator/budgets.js";
import { Orchestrator } from "./orchestrator/orchestrator.js";
import { rateLimitSignals } from "./orchestrator/rate-limit-signals.js";
import { COORDINATOR } from "./orchestrator/scheduled-runs.js";
import { TurnLimiter } from "./orchestrator/turn-limiter.js";
import { summarizeProjects } from "./projects/project-summaries.js";
import { heuristicRouter } from "./routing/heuristic-router.js";
import { LearnedRouter } from "./routing/learned-router.js";
import { createTaskRedundancy } from "./tokens/task-redundancy.js";
import { DAEMON_VERSION } from "./version.js";
import { Workspaces } from "./workspaces/workspaces.js";

export interface DaemonOptions {
  config: Config;
  /** `$CCA_HOME`: token, work folders. */
  home: string;
  /** The open, migrated database: the single source of truth about tasks and agents. */
  database: Database;
  /** Who runs which task: in process by default; BullMQ when daemons share work. */
  scheduler?: TaskScheduler;
  /** Unique among the daemons on one database; default `ccad-<host>-<pid>`. */
  name?: string;
  configSource?: string | null;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  bus?: EventBus;
  /** What the bus is, for status: "memory" or "redis". */
  busKind?: string;
  /** Makes each agent's driver; default: the one each role's `driver` names (tests inject their own). */
  createDriver?: AgentDriverFactory;
}

export interface Daemon {
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly token: string;
  readonly name: string;
  readonly agents: AgentManager;
  readonly orchestrator: Orchestrator;
  readonly acp: AcpEndpoint;
  /** Listens on `daemon.bind_address` (port 0 picks a free port), recovers, and starts taking tasks. */
  listen(): Promise<string>;
  /** Stops accepting, stops tasks and agents, closes the server. Safe to call twice. Leaves the database open. */
  close(): Promise<void>;
}

function splitHostPort(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(":");
  return { host: address.slice(0, index).replace(/^\[|\]$/g, ""), port: Number(address.slice(index + 1)) };
}

/**
 * Builds the daemon from its configuration and collaborators: bus, activity log, agents,
 * repositories, scheduler, orchestrator, HTTP app.
 * @example const daemon = createDaemon({ config, home, database }); await daemon.listen();
 */
export function createDaemon(options: DaemonOptions): Daemon {
  const { config, database } = options;
  const logger = options.logger ?? noopLogger;
  const bus = options.bus ?? new InMemoryEventBus();
  const name = options.name ?? `ccad-${hostname()}-${process.pid}`;
  const scheduler =
    options.scheduler ??
    new LocalTaskScheduler({
      logger,
      partConcurrency: config.daemon.max_agents,
      taskConcurrency: config.daemon.max_parallel_tasks,
    });
  const token = ensureAccessToken(tokenPath(options.home));
  const activity = new ActivityLog({ bus, logger });
  const taskTimeoutMs = config.agents.default_timeout_seconds * 1000;
  const tasks = new TaskRepository(database);
  const tokenUsage = new TokenUsageRepository(database);
  const contextReads = new ContextReadRepository(database);
  const agentRepository = new AgentRepository(database);
  const daemons = new DaemonRepository(database);
  const agentRecords = new AgentRecords({ repository: agentRepository, daemon: name, logger });
  const snapshotRepository = new SnapshotRepository(database);
  const agentEnv = agentEnvironment(options.env ?? process.env, config.agents.env);
  const snapshots = new ContextSnapshots({ repository: snapshotRepository, agentEnv, logger });
  let url = "";
  const credentials = new AgentCredentials();
  const workspaces = new Workspaces({
    git: createGitRunner(),
    worktreesDir: join(options.home, "worktrees"),
    isolation: config.agents.isolation,
    copyFiles: config.projects.copy_files,
    logger,
  });
  // Delegated work can take as long as a task may; Claude Code would give up on the tool call sooner.
  // So is a wait for an approval (see ApprovalInbox), with a minute to spare.
  const agentsConfig = {
    ...config.agents,
    env: {
      MCP_TOOL_TIMEOUT: String(Math.max(taskTimeoutMs, config.agents.approval_timeout_s * 1000 + 60_000)),
      ...config.agents.env,
    },
  };
  const turnLimiter = new TurnLimiter({
    max: config.rate_limits.max_turns || config.daemon.max_agents,
    defaultWaitMs: config.rate_limits.retry_wait_s * 1000,
  });
  const catalog = new RoleCatalog(config.agents, {
    minimalTools: config.token_efficiency.enabled && config.token_efficiency.minimal_tools,
  });
  const agents = new AgentManager({
    onChange: (agent) => agentRecords.save(agent),
    onApiRetry: rateLimitSignals(turnLimiter, activity),
    reads: contextReads,
    conversations: agentRecords,
    snapshots,
    config: agentsConfig,
    createDriver:
      options.createDriver ??
      createDriverFactory({
        config: agentsConfig,
        env: options.env ?? process.env,
        noSkills: config.token_efficiency.enabled && config.token_efficiency.no_skills,
        // Interactive agents ask through a hook; the inbox is made below, before any agent starts.
        askPermission: (agentId, question, signal): Promise<PermissionDecision> =>
          approvals.request(agentId, question, signal),
      }),
    mcpFor: createBridgeLauncher({
      home: options.home,
      daemonUrl: () => url,
      credentials,
      transport: config.agents.bridge,
      onRelease: (agentId) =>
        void agentMcp
          .closeEnded()
          .catch((error: unknown) =>
            logger.warn("could not end the MCP sessions of ended credentials", { agent: agentId, error }),
          ),
    }),
    maxAgents: config.daemon.max_agents,
    stopGraceMs: config.daemon.shutdown_grace_ms,
    tokens: tokenUsage,
    catalog,
    activity,
    workRoot: join(options.home, "work"),
    workingDirFor: (agentId, project) => workspaces.agentFolder(agentId, project),
    logger,
  });
  const approvalRepository = new ApprovalRepository(database);
  const memoryEmbeddings = embeddingsFor(config.memory, options.env ?? process.env);
  const memory = new ReasoningBank({
    database,
    embeddings: memoryEmbeddings,
    threshold: config.memory.threshold,
    mergeThreshold: config.memory.merge_threshold,
    pruneBelow: config.memory.prune_below,
    maxItemsPerProject: config.memory.max_items_per_project,
  });
  const distiller = config.memory.distill
    ? new TaskDistiller({
        bank: memory,
        tree: (taskId): Promise<TaskTree> => orchestrator.tree(taskId),
        async charge(taskId, usage, model) {
          const task = await tasks.read(taskId);
          await tasks.update(taskId, { usage: addUsage({ ...task.usage }, usage) });
          await tokenUsage.record({
            kind: "distill",
            taskId,
            rootTaskId: taskId,
            agentId: null,
            role: "distiller",
            project: task.project,
            model: model ?? config.memory.distill_model,
            usage,
          });
        },
        runTurn: distillerTurn({
          config,
          env: agentEnv,
          cwd: join(options.home, "work", "distiller"),
          logger,
        }),
        judge: config.memory.judge === "llm",
        activity,
        logger,
      })
    : undefined;
  const routingExperiences = new RoutingExperienceRepository(database);
  const router = config.learning.enabled
    ? new LearnedRouter({
        config: config.learning,
        roles: () => catalog.roles,
        coordinator: COORDINATOR,
        experiences: routingExperiences,
        state: {
          embeddings: memoryEmbeddings,
          keywords: config.learning.keywords,
          agents: () => agents.list(),
          successRate: (policy) => routingExperiences.recentSuccess(policy),
        },
        activity,
        logger,
      })
    : heuristicRouter({
        coordinator: COORDINATOR,
        algorithm: config.learning.algorithm,
        gates: {
          min_support: config.learning.min_support,
          min_confidence: config.learning.min_confidence,
          explore: config.learning.explore,
        },
      });
  const orchestrator = new Orchestrator({
    agents,
    tasks,
    agentRecords: agentRepository,
    daemons,
    approvals: approvalRepository,
    snapshots: snapshotRepository,
    snapshotsPerAgent: config.daemon.snapshots_per_agent,
    scheduler,
    bus,
    activity,
    daemonName: name,
    taskTimeoutMs,
    onRestart: config.daemon.on_restart,
    stopGraceMs: config.daemon.shutdown_grace_ms,
    staleDaemonMs: config.daemon.stale_daemon_ms,
    retentionMs: config.daemon.retention_days * 24 * 60 * 60 * 1000,
    reconcileMs: config.daemon.reconcile_interval_ms,
    workspaces,
    autoApply: config.projects.auto_apply,
    memory: createTaskMemory({ bank: memory, limit: config.memory.hints, distiller, logger }),
    router,
    tokens: tokenUsage,
    reads: contextReads,
    budgets: new Budgets({ limits: config.budgets, tokens: tokenUsage }),
    limiter: turnLimiter,
    rateLimitRetries: config.rate_limits.turn_retries,
    compactAboveTokens:
      config.token_efficiency.enabled && config.token_efficiency.compaction
        ? config.token_efficiency.compact_above_tokens
        : null,
    logger,
  });
  const approvals = new ApprovalInbox({
    repository: approvalRepository,
    agents,
    rootOf: (taskId) => rootTaskOf(tasks, taskId),
    bus,
    activity,
    timeoutMs: config.agents.approval_timeout_s * 1000,
    daemonName: name,
    logger,
  });
  const acp = createAcpEndpoint({
    orchestrator,
    agents,
    bus,
    token,
    credentials,
    approvals: { inbox: approvals, timeoutS: config.agents.approval_timeout_s },
    logger,
    limits: {
      maxBufferedBytes: config.acp.max_buffered_bytes,
      maxSubscriptions: config.acp.max_subscriptions,
    },
  });
  const agentMcp = createAgentMcpEndpoint({ acp, credentials, logger });
  const attach = createAttachEndpoint({ agents, orchestrator, activity, bus, token, logger });
  const startedAt = Date.now();
  const app = createApp({
    orchestrator,
    agents,
    agentDirectory: { daemon: name, repository: agentRepository },
    claudeConfigDir: claudeConfigDirOf(agentEnv),
    listProjects: () =>
      summarizeProjects(tasks, agentRepository, { daemon: name, agents: () => agents.list() }),
    workspaces,
    approvals,
    activity,
    bus,
    token,
    version: DAEMON_VERSION,
    startedAt,
    defaultWaitMs: taskTimeoutMs,
    agentMcp: agentMcp.routes,
    memory,
    learning: { router, experiences: routingExperiences },
    tokens: tokenUsage,
    redundancy: createTaskRedundancy({ tasks, reads: contextReads }),
    dependencies: { database, scheduler },
    eventStreamLimits: {
      maxStreams: config.daemon.max_event_streams,
      maxBacklog: config.daemon.max_event_backlog,
    },
    status: {
      bindAddress: config.daemon.bind_address,
      configSource: options.configSource ?? null,
      bus: options.busKind ?? (options.bus ? "custom" : "memory"),
      maxAgents: config.daemon.max_agents,
    },
    logger,
  });

  let server: ServerType | null = null;
  let closing: Promise<void> | null = null;

  return {
    get url() {
      return url;
    },
    token,
    name,
    agents,
    orchestrator,
    acp,
    async listen() {
      const { host, port } = splitHostPort(config.daemon.bind_address);
      await checkBindAddress(config.daemon, host, logger);
      await daemons.register({ name, hostname: hostname(), pid: process.pid });
      await memory.prepare();
      url = await new Promise<string>((resolve, reject) => {
        const started = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
          const shownHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
          attachUpgradeDispatcher(started as Server, [
            {
              describe: `ACP at ${ACP_PATH}`,
              matches: (path) => path === ACP_PATH,
              handleUpgrade: acp.handleUpgrade,
            },
            { describe: "agent attach at /api/v1/agents/:id/attach", ...attach },
          ]);
          resolve(`http://${shownHost}:${info.port}`);
        });
        started.once("error", (error: NodeJS.ErrnoException) =>
          reject(
            error.code === "EADDRINUSE"
              ? new Error(
                  `${config.daemon.bind_address} is already in use: is another ccad running? (cca daemon status) Set daemon.bind_address or CCA__DAEMON__BIND_ADDRESS to use another address.`,
                  { cause: error },
                )
              : error,
          ),
        );
        server = started;
      });
      await daemons.heartbeat(name, url);
      if (router instanceof LearnedRouter) await router.start();
      await orchestrator.start();
      // The warm pool (agents.warm) fills in the background: the daemon serves meanwhile.
      void agents.warmUp();
      return url;
    },
    close() {
      closing ??= (async () => {
        const current = server as (ServerType & { closeAllConnections?: () => void }) | null;
        const closed = current
          ? new Promise<void>((resolve) => current.close(() => resolve()))
          : Promise.resolve();
        await orchestrator.shutdown();
        await distiller?.close();
        await router.close();
        await agents.stopAll();
        await agentRecords.flush();
        await snapshots.flush();
        await daemons.markStopped(name).catch(() => {});
        await agentMcp.close();
        await acp.close();
        await attach.close();
        await approvals.close();
        current?.closeAllConnections?.();
        await closed;
        await bus.close();
      })();
      return closing;
    },
  };
}
