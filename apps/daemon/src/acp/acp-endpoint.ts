import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import {
  AgentBroadcast,
  AgentHeartbeat,
  AgentRegister,
  AgentSend,
  ApprovalRequest,
  type Connection,
  createConnection,
  createInMemoryTransportPair,
  ErrorCodes,
  EventsActivity,
  EventsSubscribe,
  RpcError,
  TaskDelegate,
  TaskProgress,
  TaskResult,
} from "@cca/acp";
import { type AcpServer, createAcpServer, createTokenAuthenticator, refuseUpgrade } from "@cca/acp/ws";
import { type ActivityEvent, type EventBus, isoTime, type Logger, noopLogger, subscribeTo } from "@cca/core";
import type { AgentManager } from "../agents/agent-manager.js";
import type { ApprovalInbox } from "../approvals/approval-inbox.js";
import { ActivityChannel } from "../bus-channels.js";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import { ActivitySubscriptions, DEFAULT_MAX_SUBSCRIPTIONS } from "./activity-subscriptions.js";
import { AgentCredentials } from "./agent-credentials.js";
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
  /** The daemon's access token: for tools (CLI, Command Center), not for agents. */
  token: string;
  /** The agents' own credentials; agent methods need one. Default: an empty registry. */
  credentials?: AgentCredentials;
  limits?: AcpEndpointLimits;
  /** Where agents' permission questions wait for a person (`approval/request`); without it they are denied. */
  approvals?: { inbox: ApprovalInbox; timeoutS: number };
  logger?: Logger;
}

/** The daemon's ACP endpoint: JSON-RPC over WebSocket at `/acp`, for agent bridges and tools. */
export interface AcpEndpoint {
  /** Serves ACP on the server's upgrades to `/acp` with a listener of its own. */
  attach(server: Server): void;
  /** Takes over one upgrade request to `/acp`, for a dispatcher that routes the server's upgrades. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * A connection inside this process for the agent holding `credential`, served as one over
   * `/acp` would be: for the agents' MCP endpoint, which carries their bridge tools over
   * HTTP. Null when the credential is not a live agent's. Closed with the endpoint.
   */
  connectAgent(credential: string): Connection | null;
  /** Drops every connection and serves anew (clients reconnect); for operators and tests. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const ACP_PATH = "/acp";

/**
 * Who a connection speaks for, decided from its token before the upgrade: a tool holding
 * the daemon's access token (the CLI, the Command Center's cca-mcp), or one agent, by the
 * credential the daemon gave it alone.
 */
export type AcpCaller =
  | { kind: "daemon" }
  | { kind: "agent"; agentId: string; role: string; credential: string };

/** Tells the daemon's token from an agent's credential; null refuses the upgrade (401). */
function createCallerAuthenticator(
  token: string,
  credentials: AgentCredentials,
): (given: string | undefined) => AcpCaller | null {
  const isDaemonToken = createTokenAuthenticator(token);
  return (given) => {
    if (given === undefined) return null;
    if (isDaemonToken(given)) return { kind: "daemon" };
    const agent = credentials.identify(given);
    return agent ? { kind: "agent", ...agent, credential: given } : null;
  };
}

/** A method refused to this caller; the message names the rule. */
function refused(message: string): RpcError {
  return new RpcError(ErrorCodes.ApplicationError, message, { data: { code: "unauthorized" } });
}

/** Builds the endpoint; `attach` mounts it on the daemon's HTTP server. */
export function createAcpEndpoint(deps: AcpEndpointDeps): AcpEndpoint {
  const logger = deps.logger ?? noopLogger;
  const credentials = deps.credentials ?? new AgentCredentials();
  let acp: AcpServer | null = null;
  let detach: (() => void) | null = null;
  let httpServer: Server | null = null;
  const inProcess = new Set<Connection>();

  const start = () => {
    acp = createAcpServer<AcpCaller>({
      authenticate: createCallerAuthenticator(deps.token, credentials),
      onConnection: (connection, caller) => serveConnection(connection, caller, credentials, deps, logger),
      maxBufferedBytes: deps.limits?.maxBufferedBytes,
      logger,
    });
    detach = httpServer ? acp.attach(httpServer, { path: ACP_PATH }) : null;
  };
  const stop = async () => {
    detach?.();
    await Promise.all([...inProcess].map((connection) => connection.close("the ACP endpoint closed")));
    await acp?.close();
    acp = null;
  };
  start();

  return {
    attach(server) {
      httpServer = server;
      detach?.();
      detach = acp ? acp.attach(server, { path: ACP_PATH }) : null;
    },
    handleUpgrade(request, socket, head) {
      if (acp) acp.handleUpgrade(request, socket, head);
      else refuseUpgrade(socket, 503, "The ACP endpoint is closed");
    },
    connectAgent(credential) {
      const agent = credentials.identify(credential);
      if (!agent || !acp) return null;
      const [clientSide, serverSide] = createInMemoryTransportPair();
      // No heartbeat: both ends live in this process.
      const served = createConnection(serverSide, { logger });
      const client = createConnection(clientSide, { logger });
      serveConnection(served, { kind: "agent", ...agent, credential }, credentials, deps, logger);
      inProcess.add(client);
      client.onClose(() => inProcess.delete(client));
      // An in-memory transport starts at once; a failure would already have closed the connection.
      for (const side of [served, client]) side.start().catch(() => {});
      return client;
    },
    async restart() {
      await stop();
      start();
    },
    close: stop,
  };
}

/**
 * One client's session: which agent it speaks for, its subscriptions, its handlers. Every
 * method first checks the caller: an agent's credential must still be live (it ends when
 * the agent stops); agent methods need one; an agent registers only as itself; only the
 * Coordinator delegates.
 */
function serveConnection(
  connection: Connection,
  caller: AcpCaller,
  credentials: AgentCredentials,
  deps: AcpEndpointDeps,
  logger: Logger,
): void {
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
  /** The agent this connection speaks for, once registered; agent methods need it. */
  const registered = (method: string): Extract<AcpCaller, { kind: "agent" }> => {
    if (caller.kind !== "agent") {
      throw refused(
        `${method} is an agent method: it needs the agent's own credential (the daemon gives each agent's bridge one in its MCP config, as CCA_AGENT_TOKEN); the daemon's access token serves tools, not agents`,
      );
    }
    if (agentId) return caller;
    throw new RpcError(
      ErrorCodes.ApplicationError,
      "Register first: call agent/register with your agent id",
      {
        data: { code: "bad_request" },
      },
    );
  };
  /** Refuses every method once the agent's credential has ended. */
  const checkCredential = () => {
    if (caller.kind !== "agent" || credentials.identify(caller.credential)?.agentId === caller.agentId)
      return;
    throw refused(
      `The credential of agent ${caller.agentId} has ended (the agent stopped); only a running agent's bridge may call the daemon`,
    );
  };
  const guarded =
    <P, R>(handler: (params: P, signal: AbortSignal) => Promise<R> | R) =>
    async (params: P, context: { signal: AbortSignal }) => {
      try {
        checkCredential();
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
      if (caller.kind !== "agent") {
        throw refused(
          "agent/register needs the agent's own credential (the daemon gives each agent's bridge one in its MCP config, as CCA_AGENT_TOKEN); the daemon's access token cannot register as an agent",
        );
      }
      if (agent_id !== caller.agentId) {
        throw refused(
          `This connection's credential belongs to agent ${caller.agentId}: it may register only as ${caller.agentId}, not as ${agent_id}`,
        );
      }
      const agent = agents.get(agent_id);
      agentId = agent.id;
      logger.info("agent bridge registered", { agent: agent.id, role: agent.role });
      return {
        agent_id: agent.id,
        role: agent.role,
        tools: bridgeToolsFor(agent.role),
        ...(deps.approvals ? { approval_timeout_s: deps.approvals.timeoutS } : {}),
      };
    }),
  );
  connection.onRequest(
    AgentHeartbeat,
    guarded(() => {
      registered(AgentHeartbeat.method);
      return { at: isoTime() };
    }),
  );
  connection.onRequest(
    TaskDelegate,
    guarded(async (params, signal) => {
      const from = registered(TaskDelegate.method);
      if (from.role !== "coordinator") {
        throw refused(
          `Only the Coordinator may delegate: task/delegate needs an agent of role "coordinator", and ${from.agentId} is a ${from.role} agent (it may leave other agents messages with agent/send)`,
        );
      }
      let stopFollowing: (() => Promise<void>) | null = null;
      let finished = false;
      const delegationId = params.delegation_id ?? null;
      try {
        return await orchestrator.delegate(from.agentId, params, {
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
    guarded(({ to, message }) => ({
      delivered_to: agents.deliver(registered(AgentSend.method).agentId, to, message),
    })),
  );
  connection.onRequest(
    AgentBroadcast,
    guarded(({ message }) => ({
      delivered_to: agents.deliver(registered(AgentBroadcast.method).agentId, "*", message),
    })),
  );
  connection.onRequest(
    ApprovalRequest,
    guarded(async (question, signal) => {
      const from = registered(ApprovalRequest.method);
      if (!deps.approvals) {
        return {
          behavior: "deny" as const,
          message: "This daemon has no approval inbox; the tool use is denied",
        };
      }
      return await deps.approvals.inbox.request(from.agentId, question, signal);
    }),
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
