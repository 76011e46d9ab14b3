import { AgentRegister, type Connection } from "@cca/acp";
import { type AcpClient, connectAcpClient } from "@cca/acp/ws";
import { type Env, type Logger, readAccessToken, resolveDaemonUrl } from "@cca/core";

/** What the daemon said when this bridge registered: who it speaks for and which tools it serves. */
export interface Registration {
  agent_id: string;
  role: string;
  tools: string[];
}

/** The daemon's ACP address for an HTTP base URL: `http://h:p` → `ws://h:p/acp`. */
export function acpUrlFor(daemonUrl: string): string {
  return `${daemonUrl.replace(/^http/, "ws")}/acp`;
}

/**
 * Connects to the daemon over ACP as agent `agentId`, registering on every (re)connection,
 * and resolves with the first registration. The client reconnects with backoff on its own.
 */
export async function connectBridge(options: {
  agentId: string;
  env: Env;
  logger: Logger;
}): Promise<{ client: AcpClient; registration: Registration }> {
  let first: Registration | undefined;
  const register = async (connection: Connection) => {
    const registration = await connection.request(AgentRegister, { agent_id: options.agentId });
    first ??= registration;
  };
  const client = await connectAcpClient({
    url: acpUrlFor(resolveDaemonUrl(options.env)),
    token: readAccessToken(options.env),
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
