import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";
import { TASK_ID_POSITIONAL } from "./task-id.js";

interface TaskFeedbackArgs extends GlobalArgs {
  id: string;
  json: boolean;
  success?: boolean;
  failure?: boolean;
  note?: string;
}

/** `cca task feedback <id>`: how an ended task went, for the ReasoningBank's counters (and a note as a lesson). */
export function createTaskFeedbackCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, TaskFeedbackArgs> {
  return {
    command: "feedback <id>",
    describe: "Say how an ended task went: the lessons it was given count it, and a --note becomes a lesson",
    builder: (yargs: Argv<GlobalArgs>) =>
      withJsonOption(yargs)
        .positional("id", TASK_ID_POSITIONAL)
        .option("success", { type: "boolean", description: "It did what was asked" })
        .option("failure", { type: "boolean", description: "It did not" })
        .option("note", {
          alias: "m",
          type: "string",
          requiresArg: true,
          description: "What went wrong (stored as a guardrail) or what worked (a strategy)",
        })
        .check((argv) =>
          argv.success === true || argv.failure === true
            ? argv.success && argv.failure
              ? "Give one of --success and --failure, not both."
              : true
            : "Say how it went: --success or --failure.",
        )
        .example(
          '$0 task feedback task_3f9c0a --failure -m "forgot the migration for the new column"',
          "Later tasks that fit are warned",
        ),
    handler: async (argv) => setExitCode(await giveFeedback(context, argv)),
  };
}

async function giveFeedback(context: CommandContext, argv: TaskFeedbackArgs) {
  const client = context.client(argv);
  const result = await client.taskFeedback(await createIdResolver(client).task(argv.id), {
    success: argv.success === true,
    ...(argv.note !== undefined ? { note: argv.note } : {}),
  });
  if (argv.json) context.printJson(result);
  else {
    const verdict = result.success ? "a success" : "a failure";
    const items = result.items_updated.length;
    const counted =
      items === 0
        ? "it was given no memory items"
        : `${items} memory item${items === 1 ? "" : "s"} it was given count it`;
    const stored = result.stored ? `; stored ${result.stored.kind} ${result.stored.id}` : "";
    context.print(`Recorded ${result.task_id} as ${verdict}: ${counted}${stored}.`);
  }
  return EXIT_CODES.ok;
}
