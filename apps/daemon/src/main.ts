import { hostname } from "node:os";
import { createLogger, loadConfig } from "@cca/core";
import { createRedisBackend, type RedisBackend } from "@cca/core/redis";
import { createDaemon } from "./daemon.js";
import { DAEMON_VERSION } from "./version.js";

const HELP = `ccad ${DAEMON_VERSION}: the CCA daemon

Usage: ccad [--help] [--version]

Serves the CCA HTTP API (default http://127.0.0.1:9200) and runs the agents.
Configuration: cca.toml at $CCA_CONFIG, ./cca.toml or $CCA_HOME/cca.toml (CCA_HOME
defaults to ~/.cca); every key has a default; CCA__SECTION__KEY variables override,
e.g. CCA__DAEMON__BIND_ADDRESS=127.0.0.1:9311 or CCA__AGENTS__CLAUDE_PATH=/path/to/claude.
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
  // With Redis, daemons share the bus, the task queue and the task records.
  let redis: RedisBackend | undefined;
  if (config.redis.url) {
    try {
      redis = await createRedisBackend(config.redis.url, {
        prefix: config.redis.key_prefix,
        minIdleMs: config.redis.claim_idle_ms,
        connectionName: `ccad:${hostname()}:${process.pid}`,
        logger,
      });
    } catch (error) {
      logger.error((error as Error).message);
      process.exit(1);
    }
  }
  const daemon = createDaemon({
    config,
    home,
    configSource: source,
    logger,
    bus: redis?.eventBus,
    busKind: redis ? "redis" : "memory",
    cluster: redis && {
      queue: redis.taskQueue,
      state: redis.stateStore,
      consumer: `ccad-${hostname()}-${process.pid}`,
      claimIdleMs: config.redis.claim_idle_ms,
    },
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
      config.daemon.shutdown_grace_ms * 3 + 2000,
    );
    force.unref();
    daemon
      .close()
      .then(() => redis?.close())
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
    logger.info("ccad listening", { url, config: source ?? "defaults", home, version: DAEMON_VERSION });
  } catch (error) {
    logger.error((error as Error).message);
    await daemon.close();
    process.exit(1);
  }
}

void main();
