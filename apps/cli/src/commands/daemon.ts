import { existsSync, mkdirSync, statSync } from "node:fs";
import { CcaError, createDaemonClient, type DaemonClient, type Health, resolveCcaHome } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import { type CommandContext, createTimedFetch } from "../context.js";
import {
  type DaemonFiles,
  DaemonProcessError,
  daemonFiles,
  followFile,
  isDaemonProcess,
  readLastLines,
  readPidFile,
  removePidFile,
  resolveDaemonEntry,
  type SpawnedDaemon,
  spawnDaemon,
  stopProcess,
  writePidFile,
} from "../daemon-process.js";
import { bindAddressForUrl } from "../daemon-url.js";
import { EXIT_CODES } from "../exit-codes.js";
import { renderDaemonStatus } from "../render.js";
import { type GlobalArgs, nonNegativeNumbers, type SetExitCode, withJsonOption } from "./shared.js";

const HEALTH_POLL_MS = 100;
/** Something that accepts connections but does not answer /health within this is not a running ccad. */
const HEALTH_TIMEOUT_MS = 2_000;
const LOG_LINES_ON_FAILURE = 20;

/** `cca daemon start|stop|status|logs`: run and inspect the local ccad. */
export function createDaemonCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  const files = () => daemonFiles(resolveCcaHome(context.env));
  return {
    command: "daemon",
    describe: "Start, stop and inspect the CCA daemon (ccad)",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "start",
          "Start ccad in the background (log: $CCA_HOME/ccad.log, pid: $CCA_HOME/ccad.pid)",
          (command) =>
            command
              .option("foreground", {
                type: "boolean",
                default: false,
                description: "Run ccad attached to this terminal, its output here; Ctrl-C stops it",
              })
              .option("timeout", {
                type: "number",
                default: 15,
                description: "Seconds to wait for the daemon to answer before giving up",
              })
              .check(nonNegativeNumbers("timeout"))
              .example("$0 daemon start", "Start ccad and wait until it answers")
              .example("CCA__DAEMON__BIND_ADDRESS=127.0.0.1:9311 $0 daemon start", "Start it on another port")
              .example("$0 daemon start --foreground", "Run it in this terminal"),
          async (argv) => setExitCode(await startDaemon(context, files(), argv)),
        )
        .command(
          "stop",
          "Stop the ccad that `cca daemon start` started (SIGTERM, then SIGKILL after --grace)",
          (command) =>
            command
              .option("grace", {
                type: "number",
                default: 10,
                description: "Seconds to wait after SIGTERM before sending SIGKILL",
              })
              .check(nonNegativeNumbers("grace"))
              .example("$0 daemon stop", "Stop the daemon and remove its pid file"),
          async (argv) => setExitCode(await stopDaemon(context, files(), argv)),
        )
        .command(
          "status",
          "Whether ccad answers, and its agents, tasks, tokens and cost",
          (command) =>
            withJsonOption(command)
              .example("$0 daemon status", "Summary of the running daemon")
              .example("$0 daemon status --json | jq .usage.cost_usd", "Total cost so far"),
          async (argv) => setExitCode(await showDaemonStatus(context, files(), argv)),
        )
        .command(
          "logs",
          "Print the end of the daemon's log ($CCA_HOME/ccad.log)",
          (command) =>
            command
              .option("lines", {
                alias: "n",
                type: "number",
                default: 50,
                description: "How many lines to print",
              })
              .option("follow", {
                alias: "f",
                type: "boolean",
                default: false,
                description: "Keep printing what the daemon writes, until Ctrl-C",
              })
              .check(nonNegativeNumbers("lines"))
              .example("$0 daemon logs -n 200", "The last 200 lines")
              .example("$0 daemon logs --follow", "Follow the log as it grows"),
          async (argv) => setExitCode(await showDaemonLogs(context, files(), argv)),
        )
        .demandCommand(1, "Name a daemon command: start, stop, status or logs."),
    handler: () => {},
  };
}

async function startDaemon(
  context: CommandContext,
  files: DaemonFiles,
  argv: GlobalArgs & { foreground: boolean; timeout: number },
): Promise<number> {
  const location = context.locate(argv);
  const healthClient = createDaemonClient({
    baseUrl: location.url,
    fetch: createTimedFetch(HEALTH_TIMEOUT_MS),
  });
  const running = await probeHealth(healthClient);
  if (running) {
    const pid = readPidFile(files.pidFile);
    context.print(
      `ccad ${running.version} is already running at ${location.url}${pid ? ` (pid ${pid})` : ""}; not starting another.`,
    );
    return EXIT_CODES.ok;
  }
  const previousPid = readPidFile(files.pidFile);
  if (previousPid !== undefined) {
    if (isDaemonProcess(previousPid)) {
      throw new DaemonProcessError(
        "daemon_start_failed",
        `ccad (pid ${previousPid}, from ${files.pidFile}) is running but does not answer at ${location.url}. ` +
          `Stop it with \`cca daemon stop\`, or read ${files.logFile}.`,
        { details: { pid: previousPid, path: files.pidFile } },
      );
    }
    removePidFile(files.pidFile);
  }

  const entry = context.daemonEntry ?? resolveDaemonEntry();
  const env = { ...context.env };
  // A daemon started for an explicit URL must listen where that URL points.
  if (location.explicit) env.CCA__DAEMON__BIND_ADDRESS = bindAddressForUrl(location.url);
  mkdirSync(resolveCcaHome(context.env), { recursive: true, mode: 0o700 });

  if (argv.foreground) return runInForeground(context, files, entry, env);

  const logStart = existsSync(files.logFile) ? statSync(files.logFile).size : 0;
  const daemon = spawnDaemon({ entry, env, cwd: context.cwd, logFile: files.logFile });
  writePidFile(files.pidFile, daemon.pid);
  daemon.child.unref();

  const outcome = await waitUntilHealthy(healthClient, daemon, argv.timeout * 1000, context.signal);
  if (outcome.kind === "healthy") {
    context.print(
      `ccad ${outcome.health.version} started at ${location.url} (pid ${daemon.pid}); log: ${files.logFile}`,
    );
    return EXIT_CODES.ok;
  }
  if (outcome.kind !== "exited") await stopProcess(daemon.pid, { graceMs: 3_000 });
  if (readPidFile(files.pidFile) === daemon.pid) removePidFile(files.pidFile);
  if (outcome.kind === "interrupted") {
    context.warn("Interrupted; stopped the daemon that was starting.");
    return EXIT_CODES.interrupted;
  }
  const why =
    outcome.kind === "exited"
      ? `ccad exited (${outcome.code === null ? `signal ${outcome.signal}` : `code ${outcome.code}`}) before it answered at ${location.url}.`
      : `ccad did not answer at ${location.url} within ${argv.timeout} s, so it was stopped.`;
  throw new DaemonProcessError(
    "daemon_start_failed",
    `${why}\n${await describeLogTail(files.logFile, logStart)}`,
    {
      details: { pid: daemon.pid, path: files.logFile },
    },
  );
}

type StartOutcome =
  | { kind: "healthy"; health: Health }
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "timed_out" }
  | { kind: "interrupted" };

async function waitUntilHealthy(
  client: DaemonClient,
  daemon: SpawnedDaemon,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StartOutcome> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void daemon.exited.then((result) => {
    exit = result;
  });
  const deadline = Date.now() + timeoutMs;
  // A detached process announces readiness only by answering, so health is polled.
  for (;;) {
    if (exit) return { kind: "exited", ...exit };
    if (signal.aborted) return { kind: "interrupted" };
    const health = await Promise.race([probeHealth(client), daemon.exited.then(() => undefined)]);
    if (health) return { kind: "healthy", health };
    if (Date.now() >= deadline) return { kind: "timed_out" };
    await Promise.race([daemon.exited, delay(HEALTH_POLL_MS)]);
  }
}

async function runInForeground(
  context: CommandContext,
  files: DaemonFiles,
  entry: string,
  env: Record<string, string | undefined>,
): Promise<number> {
  const daemon = spawnDaemon({ entry, env, cwd: context.cwd });
  writePidFile(files.pidFile, daemon.pid);
  daemon.child.stdout?.setEncoding("utf8").on("data", (text: string) => context.writeRaw(text));
  daemon.child.stderr?.setEncoding("utf8").on("data", (text: string) => context.writeRawError(text));
  const stop = () => daemon.child.kill("SIGTERM");
  context.signal.addEventListener("abort", stop, { once: true });
  try {
    const { code, signal } = await daemon.exited;
    if (code === 0 || (context.signal.aborted && signal === "SIGTERM")) return EXIT_CODES.ok;
    context.warn(`ccad exited with ${code === null ? `signal ${signal}` : `code ${code}`}.`);
    return EXIT_CODES.error;
  } finally {
    context.signal.removeEventListener("abort", stop);
    if (readPidFile(files.pidFile) === daemon.pid) removePidFile(files.pidFile);
  }
}

async function stopDaemon(context: CommandContext, files: DaemonFiles, argv: GlobalArgs & { grace: number }) {
  const pid = readPidFile(files.pidFile);
  if (pid === undefined || !isDaemonProcess(pid)) {
    if (pid !== undefined) removePidFile(files.pidFile);
    const location = context.locate(argv);
    const status = await context
      .client(argv)
      .status()
      .catch(() => undefined);
    if (status) {
      context.warn(
        `No ccad started by \`cca daemon start\` here (no live pid in ${files.pidFile}), but a daemon answers at ` +
          `${location.url} (pid ${status.pid}). Stop it where it was started, or with \`kill ${status.pid}\`.`,
      );
      return EXIT_CODES.error;
    }
    context.print(`ccad is not running (no live pid in ${files.pidFile}).`);
    return EXIT_CODES.ok;
  }
  const outcome = await stopProcess(pid, { graceMs: argv.grace * 1000 });
  removePidFile(files.pidFile);
  context.print(
    outcome === "terminated"
      ? `Stopped ccad (pid ${pid}).`
      : `ccad (pid ${pid}) did not stop within ${argv.grace} s of SIGTERM; killed it.`,
  );
  return EXIT_CODES.ok;
}

async function showDaemonStatus(
  context: CommandContext,
  files: DaemonFiles,
  argv: GlobalArgs & { json: boolean },
) {
  const location = context.locate(argv);
  const client = context.client(argv);
  try {
    await client.health();
  } catch (error) {
    if (!(error instanceof CcaError) || error.code !== "daemon_unreachable") throw error;
    const pid = readPidFile(files.pidFile);
    let note = "";
    if (pid !== undefined && isDaemonProcess(pid)) {
      note = ` A ccad process (pid ${pid}) is alive but does not answer; see ${files.logFile}.`;
    } else if (pid !== undefined) {
      note = ` ${files.pidFile} is stale (pid ${pid} is gone).`;
    }
    context.warn(`ccad is not running at ${location.url}.${note} Start it with \`cca daemon start\`.`);
    return EXIT_CODES.daemonUnreachable;
  }
  const status = await client.status();
  if (argv.json) context.printJson(status);
  else context.print(renderDaemonStatus(status, location.url));
  return EXIT_CODES.ok;
}

async function showDaemonLogs(
  context: CommandContext,
  files: DaemonFiles,
  argv: GlobalArgs & { lines: number; follow: boolean },
) {
  if (!existsSync(files.logFile)) {
    throw new DaemonProcessError(
      "daemon_log_missing",
      `There is no daemon log at ${files.logFile} yet; \`cca daemon start\` writes it.`,
      { details: { path: files.logFile } },
    );
  }
  const end = statSync(files.logFile).size;
  for (const line of await readLastLines(files.logFile, argv.lines, { end })) context.print(line);
  if (argv.follow) await followFile(files.logFile, end, context.writeRaw, context.signal);
  return EXIT_CODES.ok;
}

async function probeHealth(client: DaemonClient): Promise<Health | undefined> {
  try {
    return await client.health();
  } catch {
    return undefined;
  }
}

async function describeLogTail(logFile: string, from: number): Promise<string> {
  if (!existsSync(logFile)) return `(no log at ${logFile})`;
  const lines = (await readLastLines(logFile, LOG_LINES_ON_FAILURE, { start: from })).filter((line) =>
    line.trim(),
  );
  if (lines.length === 0) return `(${logFile} is empty)`;
  return [`Last lines of ${logFile}:`, ...lines.map((line) => `  ${line}`)].join("\n");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}
