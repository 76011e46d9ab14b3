import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { renderProjectTable } from "../render-projects.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** `cca project list`: the projects the team has worked on. */
export function createProjectCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  return {
    command: "project",
    describe: "The projects tasks were sent from: their tasks, agents, tokens and cost",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "list",
          "List projects, most recent first: tasks (open: queued or running), live agents, the team's tokens and cost",
          (command) =>
            withJsonOption(command)
              .example("$0 project list", "One line per project")
              .example("$0 project list --json | jq '.[].root'", "The projects' folders"),
          async (argv) => {
            const projects = await context.client(argv).listProjects();
            if (argv.json) context.printJson(projects);
            else context.print(renderProjectTable(projects, context.renderOptions()));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .demandCommand(1, "Name a project command: list"),
    handler: () => {},
  };
}
