import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  type Config,
  type EventBus,
  InMemoryEventBus,
  type Logger,
  noopLogger,
  type StateStore,
  type TaskQueue,
  tokenPath,
} from "@cca/core";
import { type ServerType, serve } from "@hono/node-server";
import { ensureAccessToken } from "./access-token.js";
import { type AcpEndpoint, createAcpEndpoint } from "./acp/acp-endpoint.js";
import { bridgeMcpConfig } from "./acp/bridge-launch.js";
import { ActivityLog } from "./activity/activity-log.js";
import { AgentManager } from "./agents/agent-manager.js";
import { AgentRegistry } from "./agents/agent-registry.js";
import { RoleCatalog } from "./agents/role-catalog.js";
import { createApp } from "./http/app.js";
import { Orchestrator } from "./orchestrator/orchestrator.js";
import { ReplicatedTaskStore } from "./orchestrator/replicated-task-store.js";
import { InMemoryTaskStore } from "./orchestrator/task-store.js";
import { DAEMON_VERSION } from "./version.js";

export interface DaemonOptions {
  config: Config;
  /** `$CCA_HOME`: token, work folders. */
  home: string;
  configSource?: string | null;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  bus?: EventBus;
  /** What the bus is, for status: "memory" or "redis". */
  busKind?: string;
  /** Set to share work with other daemons: the shared queue and store (Redis), and this daemon's name. */
  cluster?: { queue: TaskQueue; state: StateStore; consumer: string; claimIdleMs: number };
}

export interface Daemon {
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly token: string;
  readonly agents: AgentManager;
  readonly orchestrator: Orchestrator;
  readonly acp: AcpEndpoint;
  /** Listens on `daemon.bind_address` (port 0 picks a free port). */
  listen(): Promise<string>;
  /** Stops accepting, ends tasks and agents, closes the server. Safe to call twice. */
  close(): Promise<void>;
}

function splitHostPort(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(":");
  return { host: address.slice(0, index).replace(/^\[|\]$/g, ""), port: Number(address.slice(index + 1)) };
}

/**
 * Builds the daemon from its configuration: bus, activity log, agents, orchestrator, HTTP app.
 * @example const daemon = createDaemon({ config, home }); await daemon.listen();
 */
export function createDaemon(options: DaemonOptions): Daemon {
  const { config } = options;
  const logger = options.logger ?? noopLogger;
  const bus = options.bus ?? new InMemoryEventBus();
  const token = ensureAccessToken(tokenPath(options.home));
  const activity = new ActivityLog({ bus });
  const taskTimeoutMs = config.agents.default_timeout_seconds * 1000;
  let url = "";
  const registry = options.cluster
    ? new AgentRegistry({
        store: options.cluster.state,
        daemon: options.cluster.consumer,
        ttlMs: options.cluster.claimIdleMs,
        logger,
      })
    : null;
  const agents = new AgentManager({
    onChange: registry ? (agent) => registry.publish(agent) : undefined,
    // Delegated work can take as long as a task may; Claude Code would give up on the tool call sooner.
    config: { ...config.agents, env: { MCP_TOOL_TIMEOUT: String(taskTimeoutMs), ...config.agents.env } },
    mcpFor: (agentId, role) => bridgeMcpConfig({ agentId, role, daemonUrl: url, token }),
    maxAgents: config.daemon.max_agents,
    stopGraceMs: config.daemon.shutdown_grace_ms,
    catalog: new RoleCatalog(config.agents),
    activity,
    workRoot: join(options.home, "work"),
    env: options.env,
    logger,
  });
  const replica = options.cluster
    ? new ReplicatedTaskStore(options.cluster.state, {
        onError: (error) => logger.error("could not write a task to the shared store", { error }),
      })
    : null;
  const orchestrator = new Orchestrator({
    agents,
    store: replica ?? new InMemoryTaskStore(),
    cluster:
      options.cluster && replica
        ? {
            queue: options.cluster.queue,
            replica,
            bus,
            consumer: options.cluster.consumer,
            heartbeatMs: Math.max(50, Math.floor(options.cluster.claimIdleMs / 3)),
          }
        : undefined,
    activity,
    taskTimeoutMs,
    logger,
  });
  const acp = createAcpEndpoint({ orchestrator, agents, bus, token, logger });
  registry?.start(() =>
    agents.list().filter((agent) => agent.state !== "stopped" && agent.state !== "failed"),
  );
  const startedAt = Date.now();
  const app = createApp({
    orchestrator,
    agents,
    registry,
    activity,
    bus,
    token,
    version: DAEMON_VERSION,
    startedAt,
    defaultWaitMs: config.agents.default_timeout_seconds * 1000,
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
    agents,
    orchestrator,
    acp,
    listen() {
      const { host, port } = splitHostPort(config.daemon.bind_address);
      return new Promise((resolve, reject) => {
        const started = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
          const shownHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
          url = `http://${shownHost}:${info.port}`;
          acp.attach(started as Server);
          orchestrator.start().then(
            () => resolve(url),
            (error: unknown) => reject(error),
          );
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
    },
    close() {
      closing ??= (async () => {
        const current = server as (ServerType & { closeAllConnections?: () => void }) | null;
        const closed = current
          ? new Promise<void>((resolve) => current.close(() => resolve()))
          : Promise.resolve();
        await orchestrator.shutdown();
        await agents.stopAll();
        registry?.stop();
        await acp.close();
        current?.closeAllConnections?.();
        await closed;
        await bus.close();
      })();
      return closing;
    },
  };
}
