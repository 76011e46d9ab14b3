import { TOKEN_REPORT_GROUPS, type TokenReportGroup } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderRedundancy } from "../render-redundancy.js";
import { renderTokenReport } from "../render-tokens.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** How far back a report goes without `--since` (and without `--task`, which reports all of its task). */
const DEFAULT_SINCE = "24h";

const REPORT_HELP = [
  "Every turn's tokens as Claude Code reported them (an agent's turn on a task, or the memory",
  "distiller's), added up by group, most tokens first, with the total:",
  "  role     the agent's role (coordinator, backend, …; distiller for the memory's turns)",
  "  project  the project folder the task was sent from; (none) for a task without one",
  "  day      the UTC day (YYYY-MM-DD) the turn ended",
  "  task     the top-level task: a task's parts count towards the task they belong to",
  "CACHE WRITE and CACHE READ are prompt-cache tokens; READ SHARE is cache reads over all input",
  "(uncached, written and read): the higher, the better prompts reuse the cache.",
].join("\n");

const REDUNDANCY_HELP = [
  "Content that more than one agent of the task (the task and its parts) was sent, as tokens",
  "that sharing could have saved: a file several agents read (Claude Code's Read tool), and a",
  "paragraph of 200 characters or more pasted into several parts' briefs. Tokens are estimated",
  "from characters (about 4 a token), not reported by Claude Code; each item says what to do.",
].join("\n");

/** `cca tokens report|redundancy`: what the team's turns spent, and what they were sent twice. */
export function createTokensCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs> {
  return {
    command: "tokens",
    describe: "What the agents' turns spent: tokens, cache use and cost, by role, project, day or task",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "report",
          "Tokens, cache writes and reads, and cost of the turns, added up by role, project, day or task",
          (command) =>
            withJsonOption(command)
              .epilog(REPORT_HELP)
              .option("by", {
                choices: TOKEN_REPORT_GROUPS,
                default: "role" as TokenReportGroup,
                description: "Add up the turns by role, project folder, UTC day or top-level task",
              })
              .option("since", {
                type: "string",
                description: `Only turns since then: a span back from now (30m, 24h, 7d), a time (2026-12-01 or 2026-12-01T09:00:00Z), or all (default ${DEFAULT_SINCE}; with --task, all)`,
              })
              .option("task", {
                type: "string",
                description: "Only the turns of this task and its parts",
              })
              .example("$0 tokens report", "The last 24 hours, by role")
              .example("$0 tokens report --by day --since 7d", "Each of the last seven days")
              .example(
                "$0 tokens report --by task --since 2026-12-01",
                "Each top-level task since December 1st",
              )
              .example(
                "$0 tokens report --task task_3f9c0a",
                "Everything one task and its parts spent, by role",
              ),
          async (argv) => {
            const since = argv.since ?? (argv.task ? "all" : DEFAULT_SINCE);
            const report = await context.client(argv).tokenReport({
              by: argv.by,
              ...(since === "all" ? {} : { since }),
              ...(argv.task ? { task_id: argv.task } : {}),
            });
            if (argv.json) context.printJson(report);
            else context.print(renderTokenReport(report, context.renderOptions()));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .command(
          "redundancy <id>",
          "What several agents of a task were sent: the same file read, the same text pasted into parts",
          (command) =>
            withJsonOption(command)
              .positional("id", {
                type: "string",
                demandOption: true,
                description: "The task (or an id prefix)",
              })
              .epilog(REDUNDANCY_HELP)
              .example("$0 tokens redundancy task_3f9c0a", "What the task's agents got more than once"),
          async (argv) => {
            const client = context.client(argv);
            const report = await client.taskRedundancy(await createIdResolver(client).task(argv.id));
            if (argv.json) context.printJson(report);
            else context.print(renderRedundancy(report));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .demandCommand(1, "Name a tokens command: report or redundancy.")
        .example("$0 tokens report --by project --since 7d", "What each project cost this week"),
    handler: () => {},
  };
}
