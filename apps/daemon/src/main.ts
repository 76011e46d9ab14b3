import { hostname } from "node:os";
import { createLogger, loadConfig } from "@cca/core";
import { createDaemon } from "./daemon.js";
import { type DaemonStorage, openDaemonStorage } from "./storage.js";
import { DAEMON_VERSION } from "./version.js";

const HELP = `ccad ${DAEMON_VERSION}: the CCA daemon

Usage: ccad [--help] [--version]

Serves the CCA HTTP API (default http://127.0.0.1:9200) and runs the agents.
Configuration: cca.toml at $CCA_CONFIG, ./cca.toml or $CCA_HOME/cca.toml (CCA_HOME
defaults to ~/.cca); every key has a default; CCA__SECTION__KEY variables override,
e.g. CCA__DAEMON__BIND_ADDRESS=127.0.0.1:9311 or CCA__AGENTS__CLAUDE_PATH=/path/to/claude.
State: tasks and agents are kept in PGlite under $CCA_HOME/data, or in PostgreSQL at
postgres.url; with redis.url (or postgres.url alone) daemons on one database share work.
Access token: $CCA_HOME/token (created at first start).
Stop with SIGINT or SIGTERM. To run it in the background, use \`cca daemon start\`.
`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) return void process.stdout.write(HELP);
  if (args.includes("--version") || args.includes("-V"))
    return void process.stdout.write(`${DAEMON_VERSION}\n`);
  if (args.length > 0) {
    process.stderr.write(`ccad: unknown argument ${args[0]}\n\n${HELP}`);
    process.exit(2);
  }

  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig();
  } catch (error) {
    process.stderr.write(`ccad: ${(error as Error).message}\n`);
    process.exit(78);
  }
  const { config, source, home } = loaded;
  const logger = createLogger({
    level: config.daemon.log_level,
    write: (line) => process.stderr.write(line),
  });
  // A last guard: a dependency's failure must never take the daemon down. Every promise is
  // meant to be handled where it is made; one that slips through is logged, not fatal.
  process.on("unhandledRejection", (reason) =>
    logger.error("an unhandled rejection (a bug: please report it)", { error: String(reason) }),
  );
  // An uncaught exception is different: it was thrown out of the middle of some callback,
  // which never finished, so in general nothing says the process is still sound. One kind is
  // known to be harmless: a node-postgres connection that was lost ('error' emitted with no
  // listener; every pool and client we open listens, so this is a bug). node-postgres fails
  // that connection's queries and marks it unusable before it emits, and a pool drops such a
  // client when it gets it back, so what was cut short concerns only a dead connection;
  // exiting would end every running agent for it. Anything else: log it and exit, as Node
  // would (queued tasks run again and running ones resume at the next start).
  process.on("uncaughtException", (error) => {
    const fields = { error: String(error), stack: error instanceof Error ? error.stack : undefined };
    if (isLostPostgresConnection(error)) {
      logger.error(
        "a lost PostgreSQL connection was not handled (a bug: please report it); serving on",
        fields,
      );
      return;
    }
    logger.error("an uncaught exception (a bug: please report it); exiting", fields);
    process.exit(1);
  });
  const name = `ccad-${hostname()}-${process.pid}`;
  let storage: DaemonStorage;
  try {
    storage = await openDaemonStorage({ config, home, name, logger });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  const daemon = createDaemon({
    config,
    home,
    name,
    configSource: source,
    logger,
    database: storage.database,
    scheduler: storage.scheduler,
    bus: storage.bus,
    busKind: storage.busKind,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping", { signal });
    const force = setTimeout(
      () => {
        logger.error("shutdown took too long; exiting");
        process.exit(1);
      },
      config.daemon.shutdown_grace_ms * 3 + 5000,
    );
    force.unref();
    daemon
      .close()
      .then(() => storage.close())
      .then(
        () => {
          logger.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          logger.error("shutdown failed", { error });
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  try {
    const url = await daemon.listen();
    logger.info("ccad listening", {
      url,
      config: source ?? "defaults",
      home,
      database: `${storage.database.engine} ${storage.database.location}`,
      version: DAEMON_VERSION,
    });
  } catch (error) {
    logger.error((error as Error).message);
    await daemon.close().catch(() => {});
    await storage.close().catch(() => {});
    process.exit(1);
  }
}

/**
 * Whether `error` is node-postgres reporting a lost connection: the end of its socket, or the
 * server ending the session (SQLSTATE 57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now).
 */
function isLostPostgresConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.message === "Connection terminated unexpectedly") return true;
  const { severity, code } = error as { severity?: unknown; code?: unknown };
  return severity === "FATAL" && typeof code === "string" && /^57P0[123]$/.test(code);
}

void main();
