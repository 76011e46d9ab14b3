import { existsSync } from "node:fs";
import { join } from "node:path";
import { createDaemonClient, loadConfig, redactUrl } from "@cca/core";
import type { Database, MigrationState } from "@cca/memory";
import type { Argv, CommandModule } from "yargs";
import { type CommandContext, createTimedFetch } from "../context.js";
import { daemonFiles, isDaemonProcess, readPidFile } from "../daemon-process.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { GlobalArgs, SetExitCode } from "./shared.js";

/** A daemon answering within this is taken to be running. */
const HEALTH_PROBE_MS = 1_000;

/** Why a `cca db` command refused to touch the database. */
export class DatabaseCommandError extends Error {
  readonly code: "database_in_use";
  readonly details: { pid?: number; path: string; url?: string };

  constructor(message: string, details: DatabaseCommandError["details"]) {
    super(message);
    this.name = "DatabaseCommandError";
    this.code = "database_in_use";
    this.details = details;
  }
}

/** The database the configuration names: PostgreSQL at `postgres.url`, else PGlite in `$CCA_HOME/data`. */
type DatabaseTarget =
  | { engine: "postgres"; url: string }
  | { engine: "pglite"; dataDir: string; home: string };

type DbArgs = GlobalArgs & { json: boolean };

/** `cca db status|migrate`: the database's migrations, straight from the database (not through the daemon). */
export function createDbCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs> {
  const withJson = <T>(yargs: Argv<T>) =>
    yargs.option("json", { type: "boolean", default: false, description: "Print the result as JSON" });
  return {
    command: "db",
    describe:
      "The database's migrations: which are applied, and apply the rest (talks to the database, not ccad)",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .command(
          "status",
          "Each migration with when it was applied, or pending; and which database (PGlite or PostgreSQL)",
          (command) =>
            withJson(command)
              .example("$0 db status", "What is applied where")
              .example(
                "$0 db status --json | jq '.migrations[] | select(.applied_at == null) | .name'",
                "Pending ones",
              ),
          async (argv) => setExitCode(await showStatus(context, argv)),
        )
        .command(
          "migrate",
          "Apply the pending migrations, in order, and print what was applied",
          (command) =>
            withJson(command)
              .example("$0 db migrate", "Bring the database up to date")
              .example(
                "CCA__POSTGRES__URL=postgres://cca@db.internal/cca $0 db migrate",
                "Migrate a PostgreSQL server",
              ),
          async (argv) => setExitCode(await applyMigrations(context, argv)),
        )
        .demandCommand(1, "Name a db command: status or migrate."),
    handler: () => {},
  };
}

async function showStatus(context: CommandContext, argv: DbArgs): Promise<number> {
  const target = await resolveTarget(context, argv);
  const memory = await import("@cca/memory");
  let engine: Database["engine"] = target.engine;
  let location = target.engine === "postgres" ? redactUrl(target.url) : target.dataDir;
  let migrations: MigrationState[];
  const exists = target.engine === "postgres" || existsSync(join(target.dataDir, "PG_VERSION"));
  if (exists) {
    const database = await open(target);
    try {
      ({ engine, location } = database);
      migrations = await memory.migrationStatus(database);
    } finally {
      await database.close();
    }
  } else {
    // Nothing to look at yet, and opening PGlite here would create the database.
    migrations = memory
      .readMigrations()
      .map((file) => ({ name: file.name, applied_at: null, changed: false }));
  }
  if (argv.json) {
    context.printJson({ engine, location, exists, migrations });
    return EXIT_CODES.ok;
  }
  context.print(`database  ${describeEngine(engine)} at ${location}${exists ? "" : " (not created yet)"}`);
  const width = Math.max(0, ...migrations.map((migration) => migration.name.length));
  for (const migration of migrations) {
    const state = migration.applied_at === null ? "pending" : `applied ${migration.applied_at}`;
    const changed = migration.changed
      ? " (changed since applied: add a new migration instead of editing one)"
      : "";
    context.print(`${migration.name.padEnd(width)}  ${state}${changed}`);
  }
  const pending = migrations.filter((migration) => migration.applied_at === null).length;
  context.print(
    pending === 0
      ? `${migrations.length} applied, none pending.`
      : `${migrations.length - pending} applied, ${pending} pending; apply them with \`cca db migrate\`.`,
  );
  return EXIT_CODES.ok;
}

async function applyMigrations(context: CommandContext, argv: DbArgs): Promise<number> {
  const target = await resolveTarget(context, argv);
  const memory = await import("@cca/memory");
  const database = await open(target);
  try {
    const applied = await memory.migrate(database);
    const changed = (await memory.migrationStatus(database)).filter((migration) => migration.changed);
    for (const migration of changed) {
      context.warn(`${migration.name} changed after it was applied; it is not applied again.`);
    }
    if (argv.json) {
      context.printJson({ engine: database.engine, location: database.location, applied });
      return EXIT_CODES.ok;
    }
    context.print(`database  ${describeEngine(database.engine)} at ${database.location}`);
    for (const name of applied) context.print(`applied   ${name}`);
    context.print(
      applied.length === 0
        ? "Nothing to apply; the database is up to date."
        : `Applied ${applied.length} migration${applied.length === 1 ? "" : "s"}; the database is up to date.`,
    );
    return EXIT_CODES.ok;
  } finally {
    await database.close();
  }
}

async function resolveTarget(context: CommandContext, argv: GlobalArgs): Promise<DatabaseTarget> {
  const { config, home } = loadConfig({ env: context.env, cwd: context.cwd });
  if (config.postgres.url) return { engine: "postgres", url: config.postgres.url };
  const target = { engine: "pglite" as const, dataDir: join(home, "data"), home };
  await refuseWhileDaemonRuns(context, argv, target);
  return target;
}

/**
 * PGlite is one process's database: a second process opening it while ccad has it open would
 * corrupt it. @cca/memory locks the folder (`data/.cca-lock`) and refuses a second opener,
 * but a running ccad (its pid file, or an answer at its address) is found here first, so the
 * refusal names the daemon and how to stop it.
 */
async function refuseWhileDaemonRuns(
  context: CommandContext,
  argv: GlobalArgs,
  target: { dataDir: string; home: string },
): Promise<void> {
  const what = `its embedded database (PGlite, ${target.dataDir}), which only one process may open at a time`;
  const { pidFile } = daemonFiles(target.home);
  const pid = readPidFile(pidFile);
  if (pid !== undefined && isDaemonProcess(pid)) {
    throw new DatabaseCommandError(
      `ccad (pid ${pid}, from ${pidFile}) is running on this CCA home and holds ${what}: ` +
        "stop the daemon first (`cca daemon stop`) or use GET /health.",
      { pid, path: target.dataDir },
    );
  }
  const { url } = context.locate(argv);
  const answered = await createDaemonClient({ baseUrl: url, fetch: createTimedFetch(HEALTH_PROBE_MS) })
    .health()
    .then(
      () => true,
      () => false,
    );
  if (answered) {
    throw new DatabaseCommandError(
      `ccad answers at ${url}, so it may hold ${what}: stop the daemon first (\`cca daemon stop\`, or Ctrl-C ` +
        "where it runs) or use GET /health.",
      { path: target.dataDir, url },
    );
  }
}

async function open(target: DatabaseTarget): Promise<Database> {
  const { openDatabase } = await import("@cca/memory");
  return target.engine === "postgres"
    ? openDatabase({ postgresUrl: target.url, poolSize: 1 })
    : openDatabase({ dataDir: target.dataDir });
}

function describeEngine(engine: Database["engine"]): string {
  return engine === "postgres" ? "PostgreSQL" : "PGlite (embedded)";
}
