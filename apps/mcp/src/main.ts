import { CcaError, createLogger, loadConfig } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createAgentBridgeServer } from "./agent-bridge/bridge-server.js";
import { connectBridge } from "./agent-bridge/bridge-session.js";
import { createCommandCenterServer } from "./command-center-server.js";
import { HELP_TEXT, parseCommandLine, UsageError } from "./command-line.js";
import { createDaemonClientFromEnv } from "./daemon-connection.js";
import { exitWithParent } from "./parent-watch.js";
import { VERSION } from "./version.js";

// stdout carries the MCP protocol: everything for people goes to stderr, except --help and --version.
async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2), process.env);
  if (command.kind === "help") {
    process.stdout.write(HELP_TEXT);
    return;
  }
  if (command.kind === "version") {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const logger = createLogger({
    level: command.logLevel,
    write: (line) => process.stderr.write(line),
    fields: { component: "cca-mcp" },
  });
  // Until the stdio transport reads stdin (the bridge first connects to the daemon), a closed
  // stdin goes unnoticed; and a killed Claude Code leaves its socket open. Watch the parent too.
  // An agent's bridge is always started by that agent's Claude Code, never by init.
  exitWithParent(() => process.exit(0), { parentIsNeverInit: command.kind === "bridge" });
  let server: McpServer;
  let closeConnection = async () => {};
  if (command.kind === "bridge") {
    const { client: acp, registration } = await connectBridge({
      agentId: command.agentId,
      env: process.env,
      logger,
    });
    server = createAgentBridgeServer({ acp, registration, logger });
    closeConnection = () => acp.close();
    logger.info("agent bridge ready", { agent: registration.agent_id, tools: registration.tools.join(",") });
  } else {
    const { config, source } = loadConfig({ env: process.env, cwd: command.projectDir });
    const client = createDaemonClientFromEnv(process.env);
    server = createCommandCenterServer({
      client,
      waitLimitS: command.waitLimitS,
      projectDir: command.projectDir,
      cancelOnInterrupt: config.mcp.cancel_on_interrupt,
      logger,
    });
    logger.info("serving on stdio", {
      daemon: client.baseUrl,
      project: command.projectDir,
      config: source ?? "defaults",
      version: VERSION,
    });
  }
  const shutdown = () => {
    void Promise.allSettled([server.close(), closeConnection()]).finally(() => process.exit(0));
  };
  // Claude Code ends a stdio server by closing its stdin; open event streams must not keep us alive.
  process.stdin.once("end", shutdown);
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  await server.connect(new StdioServerTransport());
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof CcaError && error.code === "invalid_config")) {
    process.stderr.write(`cca-mcp: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `cca-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
