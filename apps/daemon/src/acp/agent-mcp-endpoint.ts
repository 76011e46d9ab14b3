import { randomUUID } from "node:crypto";
import { AgentRegister, type Connection } from "@cca/acp";
import { CcaError, type Logger, noopLogger } from "@cca/core";
import { createAgentBridgeServer } from "@cca/mcp";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { type Context, Hono } from "hono";
import { bearerToken } from "../http/auth.js";
import type { AcpEndpoint } from "./acp-endpoint.js";
import { type AgentCredentials, type AgentIdentity, sameCredential } from "./agent-credentials.js";

/** Where agents' Claude Code reaches its bridge tools over MCP's Streamable HTTP transport. */
export const AGENT_MCP_PATH = "/agent-mcp";

export interface AgentMcpEndpointDeps {
  acp: Pick<AcpEndpoint, "connectAgent">;
  credentials: AgentCredentials;
  logger?: Logger;
}

/** The agents' MCP endpoint: routes for the daemon's app, and the sessions behind them. */
export interface AgentMcpEndpoint {
  /** `POST|GET|DELETE /agent-mcp`, authorised by the agent's own credential. */
  routes: Hono;
  /**
   * Ends every session whose credential has ended: its agent stopped, or restarted with a
   * new credential. Call it once an agent's process is gone.
   */
  closeEnded(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One Claude Code's MCP session: its bridge server, over its own in-process ACP connection.
 * It belongs to the credential that opened it, not to the agent id: a restarted agent has a
 * new credential, and its earlier process's sessions end with the earlier one.
 */
interface Session {
  agentId: string;
  credential: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  connection: Connection;
}

const SESSION_HEADER = "mcp-session-id";

/**
 * Serves each agent's bridge tools (cca_delegate, cca_send, the permission prompt, …) inside
 * the daemon, over MCP's Streamable HTTP transport: Claude Code connects to
 * `<daemon>/agent-mcp` with `Authorization: Bearer <agent credential>` from its MCP config,
 * so no bridge process starts with each agent. The tools are the very ones `cca-mcp --agent`
 * serves over stdio, carried out over an in-process ACP connection with the same rules.
 */
export function createAgentMcpEndpoint(deps: AgentMcpEndpointDeps): AgentMcpEndpoint {
  const logger = deps.logger ?? noopLogger;
  const sessions = new Map<string, Session>();

  const end = async (session: Session) => {
    if (session.transport.sessionId) sessions.delete(session.transport.sessionId);
    await Promise.allSettled([session.server.close(), session.connection.close("the MCP session ended")]);
  };

  /** The live agent this request speaks for; anyone else is refused before anything runs. */
  const callerOf = (context: Context): { identity: AgentIdentity; credential: string } => {
    const credential = bearerToken(context.req.header("authorization"));
    const identity = deps.credentials.identify(credential);
    if (!credential || !identity) {
      throw new CcaError(
        "unauthorized",
        `${AGENT_MCP_PATH} serves running agents only: send \`Authorization: Bearer <agent credential>\` as in the MCP config the daemon gives each agent (the daemon's access token is for tools, not agents; a stopped agent's credential has ended)`,
      );
    }
    return { identity, credential };
  };

  /** A new session for an `initialize` request: registers as the agent, as a stdio bridge would. */
  const open = async (identity: AgentIdentity, credential: string): Promise<Session> => {
    const connection = deps.acp.connectAgent(credential);
    if (!connection)
      throw new CcaError("shutting_down", "The daemon is shutting down; it opens no new agent sessions");
    try {
      const registration = await connection.request(AgentRegister, { agent_id: identity.agentId });
      const server = createAgentBridgeServer({ acp: connection, registration, logger });
      const session: Session = {
        agentId: identity.agentId,
        credential,
        server,
        connection,
        transport: undefined!,
      };
      session.transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => {
          sessions.set(id, session);
          logger.debug("agent MCP session opened", { agent: identity.agentId, session: id });
        },
        onsessionclosed: () => end(session),
      });
      await server.connect(session.transport);
      return session;
    } catch (error) {
      await connection.close("the MCP session could not open");
      throw error;
    }
  };

  const handle = async (context: Context): Promise<Response> => {
    const { identity, credential } = callerOf(context);
    const sessionId = context.req.header(SESSION_HEADER);
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      // Another credential's session (another agent's, or this agent's before it restarted) is
      // as unknown to this caller as one that never existed.
      if (!session || !sameCredential(session.credential, credential)) {
        throw new CcaError(
          "not_found",
          `No MCP session ${sessionId} of agent ${identity.agentId}'s credential (a session ends with the credential that opened it, as when the agent restarts); start a new one with initialize`,
        );
      }
      return session.transport.handleRequest(context.req.raw);
    }
    const body: unknown = context.req.method === "POST" ? await context.req.json().catch(() => null) : null;
    if (!isInitializeRequest(body)) {
      throw new CcaError(
        "bad_request",
        `A request to ${AGENT_MCP_PATH} without an Mcp-Session-Id header must be a JSON-RPC initialize request`,
      );
    }
    const session = await open(identity, credential);
    const response = await session.transport.handleRequest(context.req.raw, { parsedBody: body });
    // An initialize the transport refused opened no session, and one whose credential ended
    // meanwhile missed its clean-up: nothing of either may stay behind.
    const kept = session.transport.sessionId !== undefined && sessions.has(session.transport.sessionId);
    if (!kept || !deps.credentials.identify(credential)) await end(session);
    return response;
  };

  const routes = new Hono();
  routes.on(["POST", "GET", "DELETE"], AGENT_MCP_PATH, handle);

  return {
    routes,
    async closeEnded() {
      const ended = [...sessions.values()].filter(
        (session) => !deps.credentials.identify(session.credential),
      );
      await Promise.all(ended.map(end));
    },
    async close() {
      await Promise.all([...sessions.values()].map(end));
    },
  };
}
