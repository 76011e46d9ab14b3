import { BUILTIN_ROLES, MAX_AGENT_LOG_LINES } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderAgentLine, renderAgentTable } from "../render.js";
import { createAgentAttachCommand, createAgentSendCommand } from "./agent-attach.js";
import { AGENT_ID_POSITIONAL } from "./agent-id.js";
import { showAgentLogs } from "./agent-logs.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** How many of the newest log entries `cca agent logs` shows unless told. */
const DEFAULT_LOG_LINES = 50;

/** `cca agent list|spawn|stop|logs`: the daemon's Claude Code agents. */
export function createAgentCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  return {
    command: "agent",
    describe: "List, spawn and stop agents, and read their logs",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "list",
          "List the daemon's agents: role, state, tasks done, tokens, cost",
          (command) =>
            withJsonOption(command)
              .example("$0 agent list", "One line per agent")
              .example("$0 agent list --json | jq '.[] | select(.state == \"busy\")'", "Busy agents"),
          async (argv) => {
            const agents = await context.client(argv).listAgents();
            if (argv.json) context.printJson(agents);
            else context.print(renderAgentTable(agents, context.renderOptions()));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .command(
          "spawn <role>",
          `Start an agent of a role (${BUILTIN_ROLES.join(", ")}, or a configured custom role)`,
          (command) =>
            withJsonOption(command)
              .positional("role", { type: "string", demandOption: true, description: "The agent's role" })
              .option("interactive", {
                type: "boolean",
                default: false,
                description:
                  "Run Claude Code's own TUI in a terminal you can attach to (cca agent attach), whatever the role's driver",
              })
              .example("$0 agent spawn backend", "Start a backend agent")
              .example(
                "$0 agent spawn backend --interactive",
                "Start one in Claude Code's TUI, to attach to",
              ),
          async (argv) => {
            const agent = await context
              .client(argv)
              .spawnAgent(argv.role, argv.interactive ? { driver: "interactive" } : {});
            if (argv.json) context.printJson(agent);
            else context.print(`Spawned: ${renderAgentLine(agent)}`);
            setExitCode(EXIT_CODES.ok);
          },
        )
        .command(
          "stop <id>",
          "Stop an agent (its Claude Code process ends)",
          (command) =>
            withJsonOption(command)
              .positional("id", AGENT_ID_POSITIONAL)
              .example("$0 agent stop agent_7b21e4", "Stop that agent"),
          async (argv) => {
            const client = context.client(argv);
            const agent = await client.stopAgent(await createIdResolver(client).agent(argv.id));
            if (argv.json) context.printJson(agent);
            else context.print(`Stopped: ${renderAgentLine(agent)}`);
            setExitCode(EXIT_CODES.ok);
          },
        )
        .command(
          "logs <id>",
          "Show an agent's transcript: what it was told and said, its tool calls with their results, tokens per response",
          (command) =>
            withJsonOption(command)
              .positional("id", AGENT_ID_POSITIONAL)
              .option("follow", {
                alias: "f",
                type: "boolean",
                default: false,
                description: "Keep showing what the agent does next, until it stops or Ctrl-C",
              })
              .option("lines", {
                alias: "n",
                type: "number",
                default: DEFAULT_LOG_LINES,
                description: `How many of the newest entries to show first (1-${MAX_AGENT_LOG_LINES})`,
              })
              .check((argv) =>
                Number.isInteger(argv.lines) && argv.lines >= 1 && argv.lines <= MAX_AGENT_LOG_LINES
                  ? true
                  : `--lines must be a whole number from 1 to ${MAX_AGENT_LOG_LINES}, not ${argv.lines}.`,
              )
              .example("$0 agent logs agent_7b21", "The agent's last 50 entries")
              .example("$0 agent logs agent_7b21 -f", "Follow it live (Ctrl-C to stop)")
              .example(
                "$0 agent logs agent_7b21 -n 500 --json | jq '.entries[] | select(.kind == \"tool_use\")'",
                "Its tool calls",
              )
              .epilog(
                "Read from Claude Code's own transcript ($CLAUDE_CONFIG_DIR/projects/…/<session>.jsonl) on the daemon's machine. With -f and --json, one entry per line.",
              ),
          async (argv) => setExitCode(await showAgentLogs(context, argv)),
        )
        .command(createAgentAttachCommand(context, setExitCode))
        .command(createAgentSendCommand(context, setExitCode))
        .demandCommand(1, "Name an agent command: list, spawn, stop, logs, attach or send."),
    handler: () => {},
  };
}
