import { readFileSync } from "node:fs";
import { MEMORY_KINDS, type MemoryKind } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { renderMemoryHits, renderMemoryItem, renderMemoryStats } from "../render-memory.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** The `<id>` of `cca memory show` and `cca memory forget`. */
const MEMORY_ID_POSITIONAL = {
  type: "string",
  demandOption: true,
  description: "The item's id (mem_…)",
} as const;

/** `cca memory search|show|add|forget|stats|export|import|reembed`: the ReasoningBank's lessons from earlier tasks. */
export function createMemoryCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs> {
  const done = () => setExitCode(EXIT_CODES.ok);
  return {
    command: "memory",
    describe: "The ReasoningBank: lessons from earlier tasks, found again by similarity",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "search <query..>",
          "The items that fit a task, best first (none below the similarity threshold)",
          (command) =>
            withJsonOption(command)
              .positional("query", {
                type: "string",
                array: true,
                demandOption: true,
                description: "Words describing the task",
              })
              .option("limit", {
                alias: "n",
                type: "number",
                default: 5,
                description: "Most items to show (1–50)",
              })
              .option("project", {
                type: "string",
                description: "A project folder: its items and the global ones",
              })
              .example('$0 memory search "tests fail on a fresh database"', "What was learnt about it"),
          async (argv) => {
            const response = await context.client(argv).searchMemory(argv.query.join(" "), {
              limit: argv.limit,
              ...(argv.project ? { projectDir: argv.project } : {}),
            });
            if (argv.json) context.printJson(response);
            else context.print(renderMemoryHits(response, context.renderOptions()));
            done();
          },
        )
        .command(
          "show <id>",
          "One item in full: its content, counters, provenance and embedding",
          (command) => withJsonOption(command).positional("id", MEMORY_ID_POSITIONAL),
          async (argv) => {
            const item = await context.client(argv).getMemory(argv.id);
            if (argv.json) context.printJson(item);
            else context.print(renderMemoryItem(item, context.renderOptions()));
            done();
          },
        )
        .command(
          "add",
          "Store a lesson by hand: later tasks that fit get it as a hint",
          (command) =>
            withJsonOption(command)
              .option("title", {
                type: "string",
                demandOption: true,
                description: "One line naming the lesson",
              })
              .option("content", {
                type: "string",
                demandOption: true,
                description: "What to do (or avoid), and why",
              })
              .option("description", { type: "string", description: "When it applies" })
              .option("kind", {
                choices: MEMORY_KINDS,
                default: "strategy" as MemoryKind,
                description: "strategy (what works) or guardrail (what to avoid)",
              })
              .option("project", {
                type: "string",
                description: "Only for this project folder; default: every project",
              })
              .example(
                '$0 memory add --title "Migrate before testing" --content "Run pnpm migrate first; the suite needs the schema"',
                "A strategy for every project",
              ),
          async (argv) => {
            const item = await context.client(argv).addMemory({
              title: argv.title,
              content: argv.content,
              kind: argv.kind,
              ...(argv.description !== undefined ? { description: argv.description } : {}),
              ...(argv.project ? { project_dir: argv.project } : {}),
            });
            if (argv.json) context.printJson(item);
            else
              context.print(
                `Stored ${item.kind} ${item.id}: ${item.title} (embeddings: ${item.embedding_model}).`,
              );
            done();
          },
        )
        .command(
          "forget <id>",
          "Delete an item: no later task gets it",
          (command) => withJsonOption(command).positional("id", MEMORY_ID_POSITIONAL),
          async (argv) => {
            await context.client(argv).forgetMemory(argv.id);
            if (argv.json) context.printJson({ id: argv.id, deleted: true });
            else context.print(`Forgot ${argv.id}.`);
            done();
          },
        )
        .command(
          "stats",
          "Each item's uses and success rate, and tasks with hints against tasks without",
          (command) => withJsonOption(command),
          async (argv) => {
            const stats = await context.client(argv).memoryStats();
            if (argv.json) context.printJson(stats);
            else context.print(renderMemoryStats(stats, context.renderOptions()));
            done();
          },
        )
        .command(
          "export",
          "Print every item as JSON lines (for import, here or into another daemon)",
          (command) => command.example("$0 memory export > lessons.jsonl", "Keep them"),
          async (argv) => {
            context.writeRaw(await context.client(argv).exportMemory());
            done();
          },
        )
        .command(
          "import <file>",
          "Store the items of a JSON lines file (- for stdin); a malformed line imports nothing",
          (command) =>
            withJsonOption(command)
              .positional("file", {
                type: "string",
                demandOption: true,
                description: "A file of JSON lines, or -",
              })
              .example("$0 memory import lessons.jsonl", "Bring them back"),
          async (argv) => {
            const jsonl = readFileSync(argv.file === "-" ? 0 : argv.file, "utf8");
            const result = await context.client(argv).importMemory(jsonl);
            if (argv.json) context.printJson(result);
            else
              context.print(
                `Imported ${result.imported} item${result.imported === 1 ? "" : "s"} (near-duplicates merged into the items they repeat).`,
              );
            done();
          },
        )
        .command(
          "reembed",
          "Embed anew the items of another embedding provider or dimension (after changing [memory])",
          (command) => withJsonOption(command),
          async (argv) => {
            const result = await context.client(argv).reembedMemory();
            if (argv.json) context.printJson(result);
            else
              context.print(
                `Re-embedded ${result.reembedded} item${result.reembedded === 1 ? "" : "s"} with ${result.embedding_model}.`,
              );
            done();
          },
        )
        .demandCommand(
          1,
          "Name a memory command: search, show, add, forget, stats, export, import or reembed.",
        )
        .example('$0 memory search "deploy to staging"', "Lessons that fit a task")
        .example("$0 memory show mem_4b1c9e", "One in full"),
    handler: () => {},
  };
}
