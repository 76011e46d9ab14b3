import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { LaunchOptions } from "../agents/launch-args.js";
import { allowedBridgeTools, BRIDGE_SERVER_NAME } from "./bridge-tools.js";

/** The `cca-mcp` program that serves an agent's bridge tools (`cca-mcp --agent <id>`). */
export function resolveBridgeScript(): string {
  const packageJson = createRequire(import.meta.url).resolve("@cca/mcp/package.json");
  return join(dirname(packageJson), "bin", "cca-mcp.js");
}

/**
 * The MCP config that connects an agent to this daemon over ACP: one server, `cca`,
 * running `cca-mcp --agent <id>` with the daemon's address and token, and the role's tools.
 */
export function bridgeMcpConfig(options: {
  agentId: string;
  role: string;
  daemonUrl: string;
  token: string;
  script?: string;
}): NonNullable<LaunchOptions["mcp"]> {
  return {
    servers: {
      [BRIDGE_SERVER_NAME]: {
        command: process.execPath,
        args: [options.script ?? resolveBridgeScript(), "--agent", options.agentId],
        env: { CCA_DAEMON_URL: options.daemonUrl, CCA_TOKEN: options.token },
      },
    },
    allowedTools: allowedBridgeTools(options.role),
  };
}
