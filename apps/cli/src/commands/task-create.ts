import { resolve } from "node:path";
import { TASK_PRIORITIES, type TaskPriority } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { renderTaskLine } from "../render.js";
import { CREATE_BUDGET_FLAGS, readBudgetFlags, TOKENS_EXAMPLE, USD_EXAMPLE } from "./budget-flags.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";
import { waitForTaskEnd, withWaitOptions } from "./task-wait.js";

interface TaskCreateArgs extends GlobalArgs {
  description: string[];
  priority?: TaskPriority;
  project?: string;
  role?: string;
  "budget-tokens"?: string;
  "budget-usd"?: string;
  wait: boolean;
  timeout?: number;
  json: boolean;
}

const BUDGET_HELP = [
  "A budget is the most the task's whole team (the task and all its parts) may spend. At the",
  "limit no new turn starts: running turns finish, then the task pauses with its answer so far",
  "(status paused; --wait exits 7) until `cca task resume <id>`. Without --budget-tokens or",
  "--budget-usd the task gets [budgets] task_tokens and task_usd of cca.toml, if set; giving",
  "either replaces both. The [budgets] day, project and role limits apply whatever it gets.",
].join("\n");

/** `cca task create <description..>`: hand a task to the daemon, and with `--wait` follow it to its end. */
export function createTaskCreateCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, TaskCreateArgs> {
  return {
    command: "create <description..>",
    describe: "Hand a task to the daemon's Coordinator",
    builder: (yargs: Argv<GlobalArgs>) =>
      withWaitOptions(
        withJsonOption(yargs)
          .positional("description", {
            type: "string",
            array: true,
            demandOption: true,
            // An explicit undefined keeps yargs from advertising "[default: []]".
            default: undefined,
            description: "What to do (the words are joined with spaces)",
          })
          .option("priority", {
            alias: "p",
            choices: TASK_PRIORITIES,
            description: "Task priority (the daemon's default is normal)",
          })
          .option("project", {
            type: "string",
            requiresArg: true,
            defaultDescription: "the current folder",
            description:
              "The project folder the task is about; the daemon works on its git repository (or the folder)",
          })
          .option("role", {
            type: "string",
            requiresArg: true,
            description: "Send it straight to an agent of this role (e.g. backend), without the Coordinator",
          })
          .option(CREATE_BUDGET_FLAGS.tokens, {
            type: "string",
            requiresArg: true,
            defaultDescription: "[budgets] task_tokens",
            description: `The most the task's team may spend, in tokens (input, output and cache), e.g. ${TOKENS_EXAMPLE}`,
          })
          .option(CREATE_BUDGET_FLAGS.usd, {
            type: "string",
            requiresArg: true,
            defaultDescription: "[budgets] task_usd",
            description: `The most the task's team may spend, in US dollars, e.g. ${USD_EXAMPLE}`,
          }),
      )
        // A string returned from check() is a usage error (exit 2); a thrown error would not be.
        .check((argv) => {
          if (argv.description.join(" ").trim() === "") return "The description must not be empty.";
          const read = readBudgetFlags(argv, CREATE_BUDGET_FLAGS);
          return "problem" in read ? read.problem : true;
        })
        .epilog(BUDGET_HELP)
        .example('$0 task create "Add a /health endpoint"', "Queue a task and print its id")
        .example(
          "$0 task create --wait --priority high Fix the failing login test",
          "Run it and print the result",
        )
        .example("$0 task create --project ../shop Add a cart", "A task on another project")
        .example("$0 task create --role qa --wait Run the test suite", "One specialist, no Coordinator")
        .example(
          "$0 task create --budget-tokens 200k --budget-usd 2.50 Add signup",
          "Pause it when it has spent 200,000 tokens or $2.50",
        )
        .example("$0 task create --json Review the schema | jq -r .id", "Only the new task's id"),
    handler: async (argv) => setExitCode(await createTask(context, argv)),
  };
}

async function createTask(context: CommandContext, argv: TaskCreateArgs): Promise<number> {
  const read = readBudgetFlags(argv, CREATE_BUDGET_FLAGS);
  // check() refused a bad flag before this handler ran.
  const budget = "budget" in read ? read.budget : undefined;
  const client = context.client(argv);
  const task = await client.createTask({
    description: argv.description.join(" ").trim(),
    ...(argv.priority ? { priority: argv.priority } : {}),
    ...(argv.role ? { role: argv.role } : {}),
    ...(budget ? { budget } : {}),
    project_dir: resolve(context.cwd, argv.project ?? "."),
  });
  if (!argv.wait) {
    if (argv.json) context.printJson(task);
    else context.print(renderTaskLine(task, context.renderOptions()));
    return EXIT_CODES.ok;
  }
  return waitForTaskEnd(context, client, task, argv);
}
