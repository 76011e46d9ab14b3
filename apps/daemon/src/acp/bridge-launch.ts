import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { AgentMcp } from "../agents/launch-args.js";
import type { AgentCredentials } from "./agent-credentials.js";
import { AGENT_MCP_PATH } from "./agent-mcp-endpoint.js";
import { allowedBridgeTools, BRIDGE_SERVER_NAME, PERMISSION_PROMPT_TOOL_NAME } from "./bridge-tools.js";

/** An MCP server as Claude Code's `--mcp-config` describes one: a program on stdio, or an HTTP address. */
export type McpServerConfig =
  | { command: string; args: string[]; env?: Record<string, string> }
  | { type: "http"; url: string; headers?: Record<string, string> };

/**
 * How an agent's Claude Code reaches its bridge tools (`agents.bridge`): `http`, the daemon's
 * own `/agent-mcp` endpoint, with no process to start; or `stdio`, a `cca-mcp --agent` process.
 */
export type BridgeTransport = "http" | "stdio";

/** The variable that carries an agent's credential to its bridge (set in the MCP config's `env`). */
export const BRIDGE_CREDENTIAL_VARIABLE = "CCA_AGENT_TOKEN";

/** The `cca-mcp` program that serves an agent's bridge tools (`cca-mcp --agent <id>`). */
export function resolveBridgeScript(): string {
  const packageJson = createRequire(import.meta.url).resolve("@cca/mcp/package.json");
  return join(dirname(packageJson), "bin", "cca-mcp.js");
}

/**
 * Where an agent's MCP config (with its credential) is kept while it runs:
 * `$CCA_HOME/agents/<agent id>/mcp-config.json`. Not in the agent's working folder, which
 * may be the user's project (and is shared by every agent when `agents.working_dir` is set).
 */
export function bridgeConfigPath(home: string, agentId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(agentId)) {
    throw new Error(`Agent id "${agentId}" cannot name a folder; ids are letters, digits, "-" and "_"`);
  }
  return join(home, "agents", agentId, "mcp-config.json");
}

/** What the daemon needs to give its agents their bridges. */
export interface BridgeLauncherOptions {
  /** `$CCA_HOME`. */
  home: string;
  /** The daemon's HTTP address, known once it listens. */
  daemonUrl: () => string;
  credentials: AgentCredentials;
  /** Default `http`. */
  transport?: BridgeTransport;
  /** The `cca-mcp` script of the `stdio` transport; default the installed `@cca/mcp`'s. */
  script?: string;
  /**
   * Called once each time an agent's process is gone, whether its release ended its credential
   * or a restart's new one already had: ends the MCP sessions of credentials that ended.
   */
  onRelease?: (agentId: string) => void;
}

/** The agent's entry in its MCP config: where its bridge tools are, and its credential. */
function bridgeServerConfig(
  options: BridgeLauncherOptions,
  agentId: string,
  credential: string,
): McpServerConfig {
  if ((options.transport ?? "http") === "http") {
    return {
      type: "http",
      url: `${options.daemonUrl()}${AGENT_MCP_PATH}`,
      headers: { Authorization: `Bearer ${credential}` },
    };
  }
  return {
    command: process.execPath,
    args: [options.script ?? resolveBridgeScript(), "--agent", agentId],
    env: { CCA_DAEMON_URL: options.daemonUrl(), [BRIDGE_CREDENTIAL_VARIABLE]: credential },
  };
}

/**
 * Gives each agent its bridge to this daemon: a fresh credential bound to its id and role,
 * written with the daemon's address into an MCP config file (mode 0600, in a 0700 folder):
 * over `http`, the daemon's `/agent-mcp` with the credential as a bearer header; over
 * `stdio`, `cca-mcp --agent <id>` with the credential in its environment. Claude Code gets
 * the file's path (`--mcp-config <path>`), so no secret is ever in a command line.
 * `release()` (once the agent's process is gone) ends the credential and deletes the file,
 * unless a restart of the agent has its own by then, and calls `onRelease` either way.
 */
export function createBridgeLauncher(
  options: BridgeLauncherOptions,
): (agentId: string, role: string) => AgentMcp {
  return (agentId, role) => {
    const configPath = bridgeConfigPath(options.home, agentId);
    const folder = dirname(configPath);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
    const credential = options.credentials.issue(agentId, role);
    const server = bridgeServerConfig(options, agentId, credential);
    try {
      // A file left by a daemon that died may have any mode; a new one is created 0600.
      rmSync(configPath, { force: true });
      writeFileSync(configPath, `${JSON.stringify({ mcpServers: { [BRIDGE_SERVER_NAME]: server } })}\n`, {
        mode: 0o600,
        flag: "wx",
      });
    } catch (error) {
      options.credentials.revoke(agentId, credential);
      throw new Error(`Could not write agent ${agentId}'s MCP config at ${configPath}`, { cause: error });
    }
    let released = false;
    return {
      configPath,
      allowedTools: allowedBridgeTools(role),
      permissionPromptTool: PERMISSION_PROMPT_TOOL_NAME,
      release() {
        if (released) return;
        released = true;
        // A newer process of the same agent (a resumed conversation) has its own credential and
        // file; this process's credential ended when that one was issued, and its sessions go now.
        if (options.credentials.revoke(agentId, credential)) rmSync(folder, { recursive: true, force: true });
        options.onRelease?.(agentId);
      },
    };
  };
}
