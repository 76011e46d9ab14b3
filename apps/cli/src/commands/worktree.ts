import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { renderPruneReport, renderWorktreeList } from "../render-worktrees.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** `cca worktree list|prune`: the agents' git worktrees of the user's projects. */
export function createWorktreeCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  const withProject = <T>(yargs: Argv<T>) =>
    withJsonOption(yargs).option("project", {
      type: "string",
      requiresArg: true,
      defaultDescription: "every project the daemon has worked on",
      description: "Only this project (a folder in its git repository)",
    });
  const project = (argv: { project?: string }) =>
    argv.project === undefined ? undefined : resolve(context.cwd, argv.project);
  return {
    command: "worktree",
    describe:
      "The agents' git worktrees ($CCA_HOME/worktrees/<project>/<agent>): list them, remove the clean ones",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "list",
          "List each agent's worktree: its branch, its state (clean, uncommitted, unmerged or missing) and its path",
          (command) =>
            withProject(command)
              .example("$0 worktree list", "Every project's agent worktrees")
              .example("$0 worktree list --project .", "This project's")
              .example(
                "$0 worktree list --json | jq -r '.[] | select(.state != \"clean\") | .path'",
                "The ones holding work",
              ),
          async (argv) => {
            const worktrees = await context.client(argv).listWorktrees(project(argv));
            if (argv.json) context.printJson(worktrees);
            else context.print(renderWorktreeList(worktrees, context.renderOptions().width));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .command(
          "prune",
          "Remove the clean worktrees (and forget missing ones); keep those holding uncommitted or unmerged work, saying why",
          (command) =>
            withProject(command)
              .epilog(
                "A project with a task queued or running is left alone, so no agent loses its folder mid-task. " +
                  "Branches are never deleted. Agents get a fresh worktree when they next work.",
              )
              .example("$0 worktree prune", "Clean up every project")
              .example("$0 worktree prune --project ~/shop", "Only ~/shop"),
          async (argv) => {
            const report = await context.client(argv).pruneWorktrees(project(argv));
            if (argv.json) context.printJson(report);
            else context.print(renderPruneReport(report, context.renderOptions().width));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .demandCommand(1, "Name a worktree command: list or prune."),
    handler: () => {},
  };
}
