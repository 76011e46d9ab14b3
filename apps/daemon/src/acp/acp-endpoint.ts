import type { Server } from "node:http";
import {
  AgentBroadcast,
  AgentHeartbeat,
  AgentRegister,
  AgentSend,
  type Connection,
  ErrorCodes,
  EventsActivity,
  EventsSubscribe,
  RpcError,
  TaskDelegate,
  TaskProgress,
  TaskResult,
} from "@cca/acp";
import { type AcpServer, createAcpServer, createTokenAuthenticator } from "@cca/acp/ws";
import { type ActivityEvent, type EventBus, isoTime, type Logger, noopLogger, subscribeTo } from "@cca/core";
import type { AgentManager } from "../agents/agent-manager.js";
import { ActivityChannel } from "../bus-channels.js";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import { ActivitySubscriptions, DEFAULT_MAX_SUBSCRIPTIONS } from "./activity-subscriptions.js";
import { bridgeToolsFor } from "./bridge-tools.js";
import { toRpcError } from "./rpc-errors.js";

/** Per-connection limits of the ACP endpoint; each has a default. */
export interface AcpEndpointLimits {
  /** `acp.max_subscriptions`: most distinct `events/subscribe` subscriptions per connection. Default 32. */
  maxSubscriptions?: number;
  /** `acp.max_buffered_bytes`: a connection whose unsent output passes this is closed (1008). Default 8 MiB. */
  maxBufferedBytes?: number;
}

export interface AcpEndpointDeps {
  orchestrator: Orchestrator;
  agents: AgentManager;
  bus: EventBus;
  token: string;
  limits?: AcpEndpointLimits;
  logger?: Logger;
}

/** The daemon's ACP endpoint: JSON-RPC over WebSocket at `/acp`, for agent bridges and tools. */
export interface AcpEndpoint {
  attach(server: Server): void;
  /** Drops every connection and serves anew (clients reconnect); for operators and tests. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const ACP_PATH = "/acp";

/** Builds the endpoint; `attach` mounts it on the daemon's HTTP server. */
export function createAcpEndpoint(deps: AcpEndpointDeps): AcpEndpoint {
  const logger = deps.logger ?? noopLogger;
  let acp: AcpServer | null = null;
  let detach: (() => void) | null = null;
  let httpServer: Server | null = null;

  const start = () => {
    acp = createAcpServer({
      authenticate: createTokenAuthenticator(deps.token),
      onConnection: (connection) => serveConnection(connection, deps, logger),
      maxBufferedBytes: deps.limits?.maxBufferedBytes,
      logger,
    });
    detach = httpServer ? acp.attach(httpServer, { path: ACP_PATH }) : null;
  };
  const stop = async () => {
    detach?.();
    await acp?.close();
    acp = null;
  };

  return {
    attach(server) {
      httpServer = server;
      start();
    },
    async restart() {
      await stop();
      start();
    },
    close: stop,
  };
}

/** One client's session: which agent it speaks for, its subscriptions, its handlers. */
function serveConnection(connection: Connection, deps: AcpEndpointDeps, logger: Logger): void {
  const { orchestrator, agents, bus } = deps;
  let agentId: string | null = null;
  /** Ends a bus subscription; a failure to end one is only worth a debug line. */
  const end = (unsubscribe: () => Promise<void>) =>
    unsubscribe().catch((error: unknown) => logger.debug("could not end a bus subscription", { error }));
  const following = new Set<() => Promise<void>>();
  const activity = new ActivitySubscriptions({
    bus,
    max: deps.limits?.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS,
    parentOf: (taskId) => orchestrator.parentOf(taskId) ?? null,
    send: (event) => void connection.notify(EventsActivity, event).catch(() => {}),
    logger,
  });
  connection.onClose(() => {
    void activity.close();
    for (const unsubscribe of following) void end(unsubscribe);
    following.clear();
  });
  const registered = (): string => {
    if (agentId) return agentId;
    throw new RpcError(
      ErrorCodes.ApplicationError,
      "Register first: call agent/register with your agent id",
      {
        data: { code: "bad_request" },
      },
    );
  };
  const guarded =
    <P, R>(handler: (params: P, signal: AbortSignal) => Promise<R> | R) =>
    async (params: P, context: { signal: AbortSignal }) => {
      try {
        return await handler(params, context.signal);
      } catch (error) {
        throw toRpcError(error);
      }
    };

  /** Forwards activity of a task and its descendants until the returned function is called. */
  const follow = async (rootId: string, send: (event: ActivityEvent) => void) => {
    const inTree = (taskId: string | null): boolean => {
      for (let id = taskId; id; id = orchestrator.parentOf(id) ?? null) if (id === rootId) return true;
      return false;
    };
    const unsubscribe = await subscribeTo(
      bus,
      ActivityChannel,
      (event) => {
        try {
          if (inTree(event.task_id)) send(event);
        } catch (error) {
          logger.debug("could not relay activity", { error });
        }
      },
      (problem) => logger.warn("dropped a bus message", { problem }),
    );
    following.add(unsubscribe);
    return async () => {
      following.delete(unsubscribe);
      await end(unsubscribe);
    };
  };

  connection.onRequest(
    AgentRegister,
    guarded(({ agent_id }) => {
      const agent = agents.get(agent_id);
      agentId = agent.id;
      logger.info("agent bridge registered", { agent: agent.id, role: agent.role });
      return { agent_id: agent.id, role: agent.role, tools: bridgeToolsFor(agent.role) };
    }),
  );
  connection.onRequest(
    AgentHeartbeat,
    guarded(() => {
      registered();
      return { at: isoTime() };
    }),
  );
  connection.onRequest(
    TaskDelegate,
    guarded(async (params, signal) => {
      const from = registered();
      let stopFollowing: (() => Promise<void>) | null = null;
      let finished = false;
      const delegationId = params.delegation_id ?? null;
      try {
        const task = await orchestrator.delegate(from, params, {
          signal,
          onCreated: (subtask) => {
            const progress = (event: ActivityEvent) =>
              void connection
                .notify(TaskProgress, {
                  delegation_id: delegationId,
                  task_id: subtask.id,
                  summary: event.summary,
                })
                .catch(() => {});
            follow(subtask.id, progress).then(
              (unsubscribe) => {
                // The subtask may end before its subscription is in place.
                if (finished) void unsubscribe();
                else stopFollowing = unsubscribe;
              },
              (error: unknown) =>
                logger.warn("could not follow a delegated subtask; its progress is not relayed", {
                  task: subtask.id,
                  error,
                }),
            );
          },
        });
        return { task };
      } finally {
        finished = true;
        await (stopFollowing as (() => Promise<void>) | null)?.();
      }
    }),
  );
  connection.onRequest(
    TaskResult,
    guarded(({ task_id }) => orchestrator.tree(task_id)),
  );
  connection.onRequest(
    AgentSend,
    guarded(({ to, message }) => ({ delivered_to: agents.deliver(registered(), to, message) })),
  );
  connection.onRequest(
    AgentBroadcast,
    guarded(({ message }) => ({ delivered_to: agents.deliver(registered(), "*", message) })),
  );
  connection.onRequest(
    EventsSubscribe,
    guarded(async ({ task_id }) => {
      if (task_id) await orchestrator.get(task_id);
      await activity.add(task_id);
      return { subscribed: true as const };
    }),
  );
}
