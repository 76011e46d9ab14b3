import { AgentRegister, type Connection } from "@cca/acp";
import { type AcpClient, connectAcpClient } from "@cca/acp/ws";
import { type Env, type Logger, resolveDaemonUrl } from "@cca/core";
import { UsageError } from "../command-line.js";

/** The variable the daemon sets, in the MCP config it gives each agent, to that agent's credential. */
export const AGENT_CREDENTIAL_VARIABLE = "CCA_AGENT_TOKEN";

/** What the daemon said when this bridge registered: who it speaks for and which tools it serves. */
export interface Registration {
  agent_id: string;
  role: string;
  tools: string[];
  /** How long the daemon waits for an answer to an approval (`agents.approval_timeout_s`). */
  approval_timeout_s?: number;
}

/** The daemon's ACP address for an HTTP base URL: `http://h:p` → `ws://h:p/acp`. */
export function acpUrlFor(daemonUrl: string): string {
  return `${daemonUrl.replace(/^http/, "ws")}/acp`;
}

/**
 * The bridge's credential: `$CCA_AGENT_TOKEN`, which the daemon puts in the agent's MCP
 * config (a 0600 file) and Claude Code passes in the bridge's environment, never on a
 * command line. The daemon's own access token does not do: agent methods need the agent's.
 * @throws UsageError when it is missing.
 */
export function readAgentCredential(env: Env): string {
  const credential = env[AGENT_CREDENTIAL_VARIABLE]?.trim();
  if (credential) return credential;
  throw new UsageError(
    `cca-mcp --agent needs the agent's credential in ${AGENT_CREDENTIAL_VARIABLE}; the daemon sets it in the MCP config it gives each agent's Claude Code (the daemon's access token, CCA_TOKEN, cannot act as an agent)`,
  );
}

/**
 * Connects to the daemon over ACP as agent `agentId`, with the agent's own credential,
 * registering on every (re)connection, and resolves with the first registration. The
 * client reconnects with backoff on its own.
 */
export async function connectBridge(options: {
  agentId: string;
  env: Env;
  logger: Logger;
}): Promise<{ client: AcpClient; registration: Registration }> {
  const token = readAgentCredential(options.env);
  let first: Registration | undefined;
  const register = async (connection: Connection) => {
    const registration = await connection.request(AgentRegister, { agent_id: options.agentId });
    first ??= registration;
  };
  const client = await connectAcpClient({
    url: acpUrlFor(resolveDaemonUrl(options.env)),
    token,
    // About two minutes of trying, then the bridge gives up and says so.
    reconnect: { initialDelayMs: 200, maxDelayMs: 5_000, maxAttempts: 30 },
    onConnect: (connection, { reconnected }) => {
      if (reconnected) options.logger.info("reconnected to the daemon", { agent: options.agentId });
      return register(connection);
    },
    logger: options.logger,
  });
  return { client, registration: first! };
}
