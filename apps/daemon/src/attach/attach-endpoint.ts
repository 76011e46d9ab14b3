import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createTokenAuthenticator, readRequestToken, refuseUpgrade } from "@cca/acp/ws";
import { AGENT_ATTACH_PATH_PATTERN, type EventBus, type Logger, noopLogger } from "@cca/core";
import { type WebSocket, WebSocketServer } from "ws";
import type { ActivityLog } from "../activity/activity-log.js";
import type { AgentManager } from "../agents/agent-manager.js";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import { AttachSocket } from "./attach-socket.js";
import { serveTerminal } from "./terminal-attach.js";
import { serveTranscript } from "./transcript-attach.js";

export interface AttachEndpointDeps {
  agents: AgentManager;
  orchestrator: Orchestrator;
  activity: ActivityLog;
  bus: EventBus;
  /** The daemon's access token: an attach is for people and their tools, not for agents. */
  token: string;
  /** How often a silent client is pinged; one that misses a ping is dropped. Default 15 000 ms. */
  heartbeatMs?: number;
  logger?: Logger;
}

/** `GET /api/v1/agents/:id/attach`, upgraded: one WebSocket stream per viewer of an agent. */
export interface AttachEndpoint {
  /** Whether an upgrade request is for this endpoint. */
  matches(pathname: string): boolean;
  /** Takes over one upgrade request: authenticates it, finds the agent, then serves it or refuses it. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Refuses new attaches and closes the open ones (1001); the agents go on. */
  close(): Promise<void>;
}

/** Largest frame a client may send (keystrokes, a message of up to 100 000 characters). */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Builds the attach endpoint (see docs/agent-attach.md): an interactive agent's terminal, or
 * a headless agent's live transcript, authenticated like the ACP endpoint.
 */
export function createAttachEndpoint(deps: AttachEndpointDeps): AttachEndpoint {
  const logger = deps.logger ?? noopLogger;
  const isDaemonToken = createTokenAuthenticator(deps.token);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  const open = new Set<WebSocket>();
  let closing = false;
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const webSocket of open) {
      if (!alive.has(webSocket)) {
        webSocket.terminate();
        continue;
      }
      alive.delete(webSocket);
      webSocket.ping();
    }
  }, deps.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const serve = (webSocket: WebSocket, agentId: string) => {
    open.add(webSocket);
    alive.add(webSocket);
    webSocket.on("pong", () => alive.add(webSocket));
    webSocket.on("error", (error) => logger.debug("attach socket error", { error: error.message }));
    webSocket.once("close", () => open.delete(webSocket));
    const socket = new AttachSocket(webSocket, logger);
    const agent = deps.agents.get(agentId);
    const terminal = deps.agents.terminal(agentId);
    const mode = terminal ? "terminal" : "transcript";
    logger.info("a viewer attached to an agent", { agent: agentId, mode });
    void socket.send({ type: "hello", agent_id: agent.id, role: agent.role, driver: agent.driver, mode });
    const served = terminal
      ? serveTerminal({ webSocket, socket, terminal, agentId, orchestrator: deps.orchestrator, logger })
      : serveTranscript({ webSocket, socket, agentId, ...deps, logger });
    served.then(
      () => logger.info("a viewer detached from an agent", { agent: agentId }),
      (error: unknown) => {
        logger.error("an attach failed", { agent: agentId, error: String(error) });
        socket.close(1011, `The daemon could not serve the attach: ${String(error)}`);
      },
    );
  };

  return {
    matches: (pathname) => AGENT_ATTACH_PATH_PATTERN.test(pathname),
    handleUpgrade(request, socket, head) {
      socket.on("error", (error) => logger.debug("attach upgrade socket error", { error: error.message }));
      if (closing) return refuseUpgrade(socket, 503, "The daemon is shutting down");
      if (isDaemonToken(readRequestToken(request)) === null) {
        logger.info("attach refused: missing or wrong token", { remote: request.socket.remoteAddress });
        return refuseUpgrade(
          socket,
          401,
          "Missing or wrong access token: send `Authorization: Bearer <token>` or `?token=<token>` (the daemon's token, $CCA_HOME/token)",
        );
      }
      const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
      const agentId = decodeURIComponent(AGENT_ATTACH_PATH_PATTERN.exec(pathname)?.[1] ?? "");
      const refusal = whyNotAttachable(deps.agents, agentId);
      if (refusal) return refuseUpgrade(socket, 404, refusal);
      wss.handleUpgrade(request, socket, head, (webSocket) => serve(webSocket, agentId));
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      await Promise.all(
        [...open].map(
          (webSocket) =>
            new Promise<void>((resolve) => {
              webSocket.once("close", () => resolve());
              webSocket.close(1001, "The daemon is shutting down");
              setTimeout(() => {
                webSocket.terminate();
                resolve();
              }, 1000).unref();
            }),
        ),
      );
      wss.close();
    },
  };
}

/** Why there is nothing to attach to, or null when the agent is live on this daemon. */
function whyNotAttachable(agents: AgentManager, agentId: string): string | null {
  if (!agents.has(agentId)) {
    return `No agent "${agentId}" on this daemon; list agents with GET /api/v1/agents (cca agent list)`;
  }
  const { state } = agents.get(agentId);
  if (state === "stopped" || state === "failed") {
    return `Agent ${agentId} has ${state === "failed" ? "failed" : "stopped"}; there is nothing to attach to. List live agents with GET /api/v1/agents (cca agent list)`;
  }
  return null;
}
