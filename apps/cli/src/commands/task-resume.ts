import { CcaError, formatCost, formatGroupedCount, type Task, teamUsage, totalTokens } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { inTermsOfCli } from "../daemon-messages.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { formatBudget } from "../render-budget.js";
import { RESUME_BUDGET_FLAGS, readBudgetFlags, TOKENS_EXAMPLE, USD_EXAMPLE } from "./budget-flags.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";
import { TASK_ID_POSITIONAL } from "./task-id.js";
import { waitForTaskEnd, withWaitOptions } from "./task-wait.js";

interface TaskResumeArgs extends GlobalArgs {
  id: string;
  tokens?: string;
  usd?: string;
  wait: boolean;
  timeout?: number;
  json: boolean;
}

const RESUME_HELP = [
  "A task pauses when a budget runs out: its own (cca task create --budget-tokens, or [budgets]",
  "task_tokens and task_usd of cca.toml) or a day's ([budgets] day_*, project_day_*, roles).",
  "Resuming puts it and its paused parts back in line.",
  "",
  "--tokens and --usd set the task's new budget in all, what it spent included (`cca task",
  "status <id>` shows what it spent). Give both to keep both limits: the one not given goes.",
  "Without either it gets another budget of the size it had, on top of what it spent.",
  "",
  "The daemon refuses, changing nothing (exit 6), a task that is not paused, and a budget that",
  "would pause it again at once (no more than it spent, or a day's limit still reached). A part",
  "resumes with its top-level task: resume that one.",
].join("\n");

/** `cca task resume <id>`: puts a paused task back in line, with a new budget or another of its size. */
export function createTaskResumeCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, TaskResumeArgs> {
  return {
    command: "resume <id>",
    describe: "Resume a paused task (a budget ran out) with a new budget, or another of the size it had",
    builder: (yargs: Argv<GlobalArgs>) =>
      withWaitOptions(
        withJsonOption(yargs)
          .positional("id", TASK_ID_POSITIONAL)
          .option(RESUME_BUDGET_FLAGS.tokens, {
            type: "string",
            requiresArg: true,
            defaultDescription: "another budget of its size",
            description: `The task's new budget in tokens, in all (what it spent included), e.g. ${TOKENS_EXAMPLE}`,
          })
          .option(RESUME_BUDGET_FLAGS.usd, {
            type: "string",
            requiresArg: true,
            defaultDescription: "another budget of its size",
            description: `The task's new budget in US dollars, in all (what it spent included), e.g. ${USD_EXAMPLE}`,
          }),
      )
        // A string returned from check() is a usage error (exit 2); a thrown error would not be.
        .check((argv) => {
          const read = readBudgetFlags(argv, RESUME_BUDGET_FLAGS);
          return "problem" in read ? read.problem : true;
        })
        .epilog(RESUME_HELP)
        .example("$0 task resume task_3f9c0a", "Another budget of the size it had")
        .example(
          "$0 task resume task_3f9c0a --tokens 500k --wait",
          "500,000 tokens in all; follow it to its end",
        )
        .example("$0 task resume task_3f9c0a --usd 5 --json", "A $5.00 budget; print the queued task"),
    handler: async (argv) => setExitCode(await resumeTask(context, argv)),
  };
}

async function resumeTask(context: CommandContext, argv: TaskResumeArgs): Promise<number> {
  const read = readBudgetFlags(argv, RESUME_BUDGET_FLAGS);
  // check() refused a bad flag before this handler ran.
  const budget = "budget" in read ? read.budget : undefined;
  const client = context.client(argv);
  const id = await createIdResolver(client).task(argv.id);
  let task: Task;
  try {
    task = await client.resumeTask(id, budget ? { budget } : {});
  } catch (error) {
    const hint = error instanceof CcaError ? biggerBudgetHint(error, id, argv) : "";
    if (!(error instanceof CcaError) || !hint) throw error;
    context.warn(`cca: ${inTermsOfCli(error.message)} (${error.code})`);
    context.warn(hint);
    return EXIT_CODES.refused;
  }
  if (argv.json && !argv.wait) context.printJson(task);
  else if (!argv.json) context.print(describeResumed(task));
  if (!argv.wait) return EXIT_CODES.ok;
  return waitForTaskEnd(context, client, task, argv);
}

/** `Resumed task_1, queued again, with a budget of 100,000 tokens (38,512 tokens spent so far).` */
function describeResumed(task: Task): string {
  const spent = totalTokens(teamUsage(task));
  const sofar = spent > 0 ? ` (${formatGroupedCount(spent)} tokens spent so far)` : "";
  const budget = task.budget ? `a budget of ${formatBudget(task.budget)}` : formatBudget(null);
  return `Resumed ${task.id}, ${task.status === "queued" ? "queued again" : task.status}, with ${budget}${sofar}.`;
}

/**
 * For a refusal because the task's own budget would be spent at once: what it spent, and the
 * command that gives it more (the daemon says it in HTTP terms). "" for any other error.
 */
function biggerBudgetHint(error: CcaError, id: string, argv: TaskResumeArgs): string {
  const { scope, spent_tokens: tokens, spent_usd: usd } = error.details;
  if (error.code !== "budget_exhausted" || scope !== "task") return "";
  if (typeof tokens !== "number" || typeof usd !== "number") return "";
  const more =
    argv.usd !== undefined && argv.tokens === undefined
      ? `--usd ${Math.max(2 * usd, 0.01).toFixed(2)}`
      : `--tokens ${2 * Math.max(tokens, 1)}`;
  return `It has spent ${formatGroupedCount(tokens)} tokens and ${formatCost(usd)}; give it a bigger budget in all, e.g. \`cca task resume ${id} ${more}\`.`;
}
