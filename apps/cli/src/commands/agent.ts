import { BUILTIN_ROLES } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderAgentLine, renderAgentTable } from "../render.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** `cca agent list|spawn|stop`: the daemon's Claude Code agents. */
export function createAgentCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  return {
    command: "agent",
    describe: "List, spawn and stop agents",
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
              .example("$0 agent spawn backend", "Start a backend agent"),
          async (argv) => {
            const agent = await context.client(argv).spawnAgent(argv.role);
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
              .positional("id", {
                type: "string",
                demandOption: true,
                description: "The agent's id, or a prefix of it that only it has",
              })
              .example("$0 agent stop agent_7b21e4", "Stop that agent"),
          async (argv) => {
            const client = context.client(argv);
            const agent = await client.stopAgent(await createIdResolver(client).agent(argv.id));
            if (argv.json) context.printJson(agent);
            else context.print(`Stopped: ${renderAgentLine(agent)}`);
            setExitCode(EXIT_CODES.ok);
          },
        )
        .demandCommand(1, "Name an agent command: list, spawn or stop."),
    handler: () => {},
  };
}
