import { type FileHandle, open } from "node:fs/promises";
import type { DaemonClient } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { renderRlStatus, renderRlTrainResult, renderRoutePreview } from "../render-learning.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** Experiences asked for per request by `cca rl export`. */
const EXPORT_PAGE_SIZE = 500;

const GROUP_HELP = [
  "The router picks a role for each top-level task (the task policy: the Coordinator and its",
  "team, or one specialist alone) and for each delegated part (the part policy: among the",
  "specialists). Who chose is a decision's source:",
  "  heuristic  the default choice (the Coordinator; for a part, the role asked for)",
  "  learned    the learned policy, once its gates passed ([learning] min_support,",
  "             min_confidence)",
  "  explore    another role tried on purpose ([learning] explore)",
  "  override   a role a person named (cca task create --role)",
  "Every decision is recorded with its outcome once the work ends, and the models learn from it.",
].join("\n");

const STATS_HELP = [
  "Per policy, each source's decisions: how many, how many settled (their work ended), the share",
  "that succeeded, and the settled ones' mean tokens and mean reward (1 for success, less the",
  "weighted tokens and time). Learning off: how to turn it on ([learning] enabled = true).",
].join("\n");

const POLICY_HELP = [
  "The decision the router would make now (nothing is recorded), the line explaining it, and",
  "every arm's estimate, best first: Q the expected reward, ±STD its uncertainty, N how many",
  "outcomes near this description it rests on.",
].join("\n");

/** `cca rl stats|train|policy|export`: how learned routing picks roles, and how its picks turned out. */
export function createRlCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs> {
  const done = () => setExitCode(EXIT_CODES.ok);
  return {
    command: "rl",
    describe:
      "Learned routing: which role the router picks for tasks and parts, and how its picks turned out",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "stats",
          "The router's mode and gates, and per policy its training and each source's outcomes",
          (command) =>
            withJsonOption(command)
              .epilog(STATS_HELP)
              .example("$0 rl stats", "Do the learned decisions succeed more, for fewer tokens?"),
          async (argv) => {
            const status = await context.client(argv).rlStatus();
            if (argv.json) context.printJson(status);
            else context.print(renderRlStatus(status, context.renderOptions()));
            done();
          },
        )
        .command(
          "train",
          "Rebuild the routing models from every settled experience (the daemon also learns as work ends)",
          (command) => withJsonOption(command).example("$0 rl train", "Relearn the models from scratch"),
          async (argv) => {
            const result = await context.client(argv).rlTrain();
            if (argv.json) context.printJson(result);
            else context.print(renderRlTrainResult(result));
            done();
          },
        )
        .command(
          "policy <description..>",
          "Where the router would send a task (or with --part, a delegated part) now, and why",
          (command) =>
            withJsonOption(command)
              .positional("description", {
                type: "string",
                array: true,
                demandOption: true,
                description: "The task's (or the part's) description",
              })
              .option("part", {
                type: "boolean",
                default: false,
                description: "Route a delegated part (the part policy), not a top-level task",
              })
              .option("role", {
                type: "string",
                description:
                  "With --part (where it is needed): the role the delegating agent asks for. For a task: a role named by a person, which the router always keeps",
              })
              // A string returned from check() is a usage error (exit 2); a thrown error would not be.
              .check((argv) => {
                if (argv.description.join(" ").trim() === "") return "The description must not be empty.";
                if (argv.part && argv.role === undefined)
                  return "--part needs --role: the role the delegating agent asks for (backend, qa, …).";
                return true;
              })
              .epilog(POLICY_HELP)
              .example('$0 rl policy "Fix the orders API handler"', "Coordinator, or one specialist alone?")
              .example('$0 rl policy --part --role qa "Test signup"', "Would a part asked of qa stay there?"),
          async (argv) => {
            const preview = await context.client(argv).rlPolicy({
              description: argv.description.join(" "),
              policy: argv.part ? "part" : "task",
              ...(argv.role !== undefined ? { role: argv.role } : {}),
            });
            if (argv.json) context.printJson(preview);
            else context.print(renderRoutePreview(preview, context.renderOptions()));
            done();
          },
        )
        .command(
          "export",
          "Print every routing decision and its outcome as JSON lines, oldest first (the count on stderr)",
          (command) =>
            command
              .option("output", {
                alias: "o",
                type: "string",
                description: "Write them to this file (replacing it) instead of stdout",
              })
              .example("$0 rl export > experiences.jsonl", "Keep them, to study offline")
              .example("$0 rl export --output experiences.jsonl", "The same"),
          async (argv) => {
            const client = context.client(argv);
            const exported = argv.output
              ? await exportToFile(client, argv.output)
              : await exportExperiences(client, async (lines) => {
                  context.writeRaw(lines);
                });
            const noun = `experience${exported === 1 ? "" : "s"}`;
            context.warn(`Exported ${exported} ${noun}${argv.output ? ` to ${argv.output}` : ""}.`);
            done();
          },
        )
        .demandCommand(1, "Name an rl command: stats, train, policy or export.")
        .epilog(GROUP_HELP)
        .example("$0 rl stats", "How learned routing is doing")
        .example('$0 rl policy "Add a /health endpoint"', "Where that task would go, and why"),
    handler: () => {},
  };
}

/**
 * Pages through every experience, oldest first, handing each page to `write` as JSON lines;
 * resolves to how many there were.
 */
async function exportExperiences(
  client: DaemonClient,
  write: (lines: string) => Promise<void>,
): Promise<number> {
  let count = 0;
  let after: string | undefined;
  do {
    const page = await client.rlExperiences({ limit: EXPORT_PAGE_SIZE, ...(after ? { after } : {}) });
    if (page.items.length > 0) await write(page.items.map((item) => `${JSON.stringify(item)}\n`).join(""));
    count += page.items.length;
    after = page.next_after ?? undefined;
  } while (after !== undefined);
  return count;
}

/**
 * `exportExperiences` into `path` (replaced). The file is opened once the daemon has answered,
 * so an unreachable daemon leaves no file behind; no experiences leave an empty one.
 */
async function exportToFile(client: DaemonClient, path: string): Promise<number> {
  let file: FileHandle | undefined;
  const openFile = async () => {
    file ??= await open(path, "w").catch((error: unknown) => {
      throw new Error(`Cannot write the experiences to ${path}`, { cause: error });
    });
    return file;
  };
  try {
    const count = await exportExperiences(client, async (lines) => {
      await (await openFile()).write(lines);
    });
    await openFile();
    return count;
  } finally {
    await file?.close();
  }
}
