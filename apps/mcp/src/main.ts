import { createLogger } from "@cca/core";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createCommandCenterServer } from "./command-center-server.js";
import { HELP_TEXT, parseCommandLine, UsageError } from "./command-line.js";
import { createDaemonClientFromEnv } from "./daemon-connection.js";
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
  const client = createDaemonClientFromEnv(process.env);
  const server = createCommandCenterServer({ client, waitLimitS: command.waitLimitS, logger });
  const shutdown = () => {
    void server.close().finally(() => process.exit(0));
  };
  // Claude Code ends a stdio server by closing its stdin; open event streams must not keep us alive.
  process.stdin.once("end", shutdown);
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  await server.connect(new StdioServerTransport());
  logger.info("serving on stdio", { daemon: client.baseUrl, version: VERSION });
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`cca-mcp: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `cca-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
