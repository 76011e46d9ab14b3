import { CcaError } from "@cca/core";
import yargs from "yargs";
import packageJson from "../package.json" with { type: "json" };
import { createAgentCommand } from "./commands/agent.js";
import { createApprovalsCommand, createApproveCommand } from "./commands/approvals.js";
import { createDaemonCommand } from "./commands/daemon.js";
import { createDbCommand } from "./commands/db.js";
import { createMemoryCommand } from "./commands/memory.js";
import { createProjectCommand } from "./commands/project.js";
import { createRlCommand } from "./commands/rl.js";
import { createStatusCommand } from "./commands/status.js";
import { createTaskCommand } from "./commands/task.js";
import { createTokensCommand } from "./commands/tokens.js";
import { createWorktreeCommand } from "./commands/worktree.js";
import { type CommandContext, createCommandContext, type RunOptions } from "./context.js";
import { inTermsOfCli } from "./daemon-messages.js";
import { EXIT_CODES, EXIT_CODES_HELP, exitCodeForError, UsageError } from "./exit-codes.js";

const ENVIRONMENT_HELP = [
  "Environment:",
  "  CCA_HOME             CCA's home: token, ccad.pid, ccad.log, data/ (default ~/.cca)",
  "  CCA_DAEMON_URL       where the daemon answers (default: http:// + daemon.bind_address)",
  "  CCA_TOKEN            the access token (default: read from $CCA_HOME/token)",
  "  CCA_CONFIG           the cca.toml to use (default ./cca.toml, then $CCA_HOME/cca.toml)",
  "  CCA__SECTION__KEY    overrides one config key, e.g. CCA__DAEMON__BIND_ADDRESS=127.0.0.1:9311",
  "                       (CCA__POSTGRES__URL=postgres://… makes cca db use PostgreSQL, not data/)",
].join("\n");

/**
 * Runs the `cca` command line in-process and resolves to its exit code (see `EXIT_CODES`).
 * Output goes to `options.stdout`/`options.stderr`; nothing calls `process.exit`.
 * @example
 * const code = await run(["task", "list", "--json"], { env: process.env, stdout: process.stdout });
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const context = createCommandContext(options);
  let exitCode: number = EXIT_CODES.ok;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const helpWidth = Math.min(110, (options.stdout ?? process.stdout).columns ?? 100);

  const parser = yargs()
    .scriptName("cca")
    .usage(
      "$0 <command>\n\nThe CCA debug command line: run the daemon (ccad), give it tasks, look at its agents and its database.",
    )
    .option("daemon-url", {
      type: "string",
      global: true,
      description: "The daemon's URL (default: $CCA_DAEMON_URL, else from daemon.bind_address)",
    })
    .command(createStatusCommand(context, setExitCode))
    .command(createDaemonCommand(context, setExitCode))
    .command(createTaskCommand(context, setExitCode))
    .command(createAgentCommand(context, setExitCode))
    .command(createApprovalsCommand(context, setExitCode))
    .command(createApproveCommand(context, setExitCode))
    .command(createMemoryCommand(context, setExitCode))
    .command(createTokensCommand(context, setExitCode))
    .command(createRlCommand(context, setExitCode))
    .command(createProjectCommand(context, setExitCode))
    .command(createWorktreeCommand(context, setExitCode))
    .command(createDbCommand(context, setExitCode))
    .demandCommand(
      1,
      "Name a command: status, daemon, task, agent, approvals, approve, memory, tokens, rl, project, worktree or db.",
    )
    .strict()
    .recommendCommands()
    .example("$0 daemon start", "Start ccad in the background")
    .example('$0 task create --wait "Add input validation to POST /users"', "Run a task to its end")
    .example("$0 task status task_3f9c0a --watch", "Follow a task and its subtasks live")
    .example("$0 task apply task_3f9c0a", "Merge the task's branch into your branch")
    .example("$0 status --watch", "The whole team, live")
    .example("$0 agent list --json", "The agents, as the daemon describes them")
    .example("$0 approvals", "The tool uses agents wait for you to approve (cca approve <id>)")
    .example("$0 tokens report --by task --since 7d", "What each task of the week spent, cache use included")
    .example("$0 db status", "Which database, and which migrations are applied")
    .epilog(`${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`)
    .version(packageJson.version)
    .help()
    .alias("help", "h")
    .wrap(helpWidth)
    .exitProcess(false)
    .fail((message, error, usage) => {
      // yargs reports a failed handler with no message, and a refused command line with one.
      if (!message && error && error.name !== "YError") throw error;
      let help = "";
      usage.showHelp((text: string) => {
        help = text;
      });
      throw new UsageError(
        describeUsageProblem(message ?? error?.message ?? "Invalid command line", argv, help),
        help,
      );
    });

  let output = "";
  try {
    await parser.parseAsync([...argv], {}, (_error, _argv, text) => {
      output = text;
    });
  } catch (error) {
    reportError(context, error);
    return exitCodeForError(error);
  }
  if (output) context.print(output);
  return exitCode;
}

/** yargs' messages, said in terms of this command line. */
function describeUsageProblem(message: string, argv: readonly string[], help: string): string {
  if (message.startsWith("Did you mean")) return `Unknown command. ${message}`;
  if (message.startsWith("Not enough non-option arguments")) {
    const usageLine = help.split("\n")[0]?.trim();
    return usageLine ? `Missing argument; usage: ${usageLine}` : "Missing argument.";
  }
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1];
  if (unknown) {
    const names = unknown.split(", ");
    const commands = names.filter((name) => argv.includes(name));
    if (commands.length === names.length) return `Unknown command: ${commands.join(", ")}`;
  }
  return message;
}

function reportError(context: CommandContext, error: unknown): void {
  if (error instanceof UsageError) {
    if (error.help) context.warn(`${error.help}\n`);
    context.warn(`Usage error: ${error.message}`);
    return;
  }
  if (error instanceof CcaError) {
    context.warn(`cca: ${inTermsOfCli(error.message)} (${error.code})`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  context.warn(`cca: ${message}${cause}`);
}
