import { mkdirSync } from "node:fs";
import { CcaError, type Logger, noopLogger, redactUrl, withDeadline } from "@cca/core";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import { lockDataDir } from "./data-dir-lock.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { DatabaseSchema } from "./schema.js";

export type Engine = "pglite" | "postgres";

/** An open database: kysely over PGlite or PostgreSQL, with the same tables on both. */
export interface Database {
  readonly engine: Engine;
  readonly db: Kysely<DatabaseSchema>;
  /** Where the data is, for messages: the PGlite folder ("memory" when in memory) or the URL without its password. */
  readonly location: string;
  /** Resolves if the database answers within `timeoutMs`; else rejects with `dependency_unavailable`. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * Runs a query, turning a driver error that means the database is unreachable into
   * `dependency_unavailable` (HTTP 503), naming the engine and where it is.
   */
  run<T>(query: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres.url`: use this PostgreSQL server. Without it, PGlite. */
  postgresUrl?: string;
  /** PGlite's data folder; omit for a database in memory (tests). */
  dataDir?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** How long a PostgreSQL connection attempt may take. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_PING_MS = 2_000;

/**
 * Opens the database: PostgreSQL when `postgresUrl` is set (pool of `pg` clients, pgvector
 * values parsed), else PGlite with pgvector, embedded, with its data in `dataDir`.
 * Apply the migrations before use (`migrate`).
 * @example const database = await openDatabase({ dataDir: join(home, "data") });
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  return options.postgresUrl ? openPostgres(options.postgresUrl, options) : openPGlite(options);
}

async function openPGlite(options: OpenDatabaseOptions): Promise<Database> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const location = options.dataDir ?? "memory";
  // PGlite does not lock its folder, and a second process opening it would corrupt it.
  const lock = options.dataDir ? lockDataDir(options.dataDir) : undefined;
  let pglite: PGlite;
  try {
    // Each engine's driver is loaded only when it is used: a daemon starts faster for it.
    const [{ PGlite }, { vector }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("@electric-sql/pglite-pgvector"),
    ]);
    pglite = await PGlite.create(options.dataDir, { extensions: { vector } });
  } catch (error) {
    lock?.release();
    throw new CcaError(
      "dependency_unavailable",
      `Could not open the embedded database (PGlite) in ${location}: ${(error as Error).message}`,
      { cause: error, details: { dependency: "pglite", location } },
    );
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
  return {
    engine: "pglite",
    db,
    location,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    run: (query) => query(),
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const logger = options.logger ?? noopLogger;
  const location = redactUrl(url);
  const vectorOids = new Set<number>();
  const [{ default: pg }, { fromSql: vectorFromSql }] = await Promise.all([import("pg"), import("pgvector")]);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        vectorOids.has(oid)
          ? vectorFromSql
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server emits here; without a listener it would crash the process.
  pool.on("error", (error) => logger.warn("a PostgreSQL connection failed", { error: error.message }));
  // So does a client in use (the pool listens only to idle ones), say one whose query just
  // failed because the server ended its session: that query has the error, and the pool
  // drops the client when it comes back.
  pool.on("connect", (client) =>
    client.on("error", (error) =>
      logger.debug("a PostgreSQL connection in use failed", { error: error.message }),
    ),
  );
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  const unavailable = (error: unknown) =>
    new CcaError(
      "dependency_unavailable",
      `PostgreSQL at ${location} is unavailable: ${(error as Error).message || String(error)}`,
      { cause: error, details: { dependency: "postgres", location } },
    );
  const database: Database = {
    engine: "postgres",
    db,
    location,
    ping: async (timeoutMs = DEFAULT_PING_MS) => {
      try {
        await withDeadline(sql`select 1`.execute(db), timeoutMs, `did not answer within ${timeoutMs} ms`);
      } catch (error) {
        throw unavailable(error);
      }
    },
    run: async (query) => {
      try {
        return await query();
      } catch (error) {
        throw isConnectionError(error) ? unavailable(error) : error;
      }
    },
    close: () => db.destroy(),
  };
  try {
    await database.ping(options.connectTimeoutMs ?? 5_000);
    const types = await sql<{
      oid: number;
    }>`select oid from pg_type where typname in ('vector', 'halfvec')`.execute(db);
    for (const row of types.rows) vectorOids.add(Number(row.oid));
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
  return database;
}

/** Errors that mean the server is not there (or went away), not that a query was wrong. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (
    [
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "EPIPE",
      "ENOTFOUND",
      // The server ended the session (admin command, crash, shutdown) or is not ready yet.
      "57P01",
      "57P02",
      "57P03",
      "08006",
      "08001",
      "08003",
      "08004",
    ].includes(code)
  )
    return true;
  // `database "x" is not currently accepting connections` (ALLOW_CONNECTIONS false) comes as
  // 55000, a code that other, query-level errors share: known by its message.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|is not currently accepting connections/i.test(
    error.message,
  );
}
