import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CcaError, type Logger, noopLogger } from "@cca/core";
import { sql } from "kysely";
import type { Database } from "../database/open-database.js";

/** One SQL file of `migrations/`, named `NNNN_what.sql`, applied in name order. */
export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** A migration as the database knows it. */
export interface MigrationState {
  name: string;
  applied_at: string | null;
  /** True when the file changed after it was applied: migrations are never edited, only added. */
  changed: boolean;
}

const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

/**
 * The repository's top-level `migrations/` folder, found by walking up from this module
 * (from `src/` in tests, from `dist/` when built).
 */
export function defaultMigrationsDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "migrations");
    if (existsSync(candidate) && readdirSync(candidate).some((name) => FILE_PATTERN.test(name)))
      return candidate;
    if (dirname(dir) === dir) {
      throw new CcaError(
        "internal",
        "Could not find CCA's migrations/ folder above @cca/memory; reinstall CCA",
      );
    }
  }
}

/** The migration files in `dir`, in the order they apply. */
export function readMigrations(dir: string = defaultMigrationsDir()): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => FILE_PATTERN.test(name))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), "utf8");
      return { name, sql: text, checksum: createHash("sha256").update(text).digest("hex") };
    });
}

/** One lock for every daemon migrating one database, held until the transaction ends. */
const MIGRATION_LOCK = 7355608;

/**
 * Creates the ledger if missing, under the migration lock: concurrent `create table if not
 * exists` can collide in PostgreSQL's catalog when two daemons start together.
 */
async function ensureLedger(database: Database): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx);
    await sql`create table if not exists cca_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null
    )`.execute(trx);
  });
}

/** Every migration file, and whether and when it was applied. */
export async function migrationStatus(
  database: Database,
  dir: string = defaultMigrationsDir(),
): Promise<MigrationState[]> {
  await ensureLedger(database);
  const applied = new Map(
    (await database.db.selectFrom("cca_migrations").selectAll().execute()).map((row) => [row.name, row]),
  );
  return readMigrations(dir).map((file) => {
    const row = applied.get(file.name);
    return {
      name: file.name,
      applied_at: row ? new Date(row.applied_at).toISOString() : null,
      changed: row !== undefined && row.checksum !== file.checksum,
    };
  });
}

/**
 * Applies the migrations not yet applied, in order, each in its own transaction, under a
 * lock so daemons starting together on one PostgreSQL apply each once. Idempotent.
 * Resolves with the names it applied.
 */
export async function migrate(
  database: Database,
  options: { dir?: string; logger?: Logger } = {},
): Promise<string[]> {
  const logger = options.logger ?? noopLogger;
  const files = readMigrations(options.dir);
  await ensureLedger(database);
  const applied: string[] = [];
  for (const file of files) {
    const done = await database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx);
      const row = await trx
        .selectFrom("cca_migrations")
        .select(["checksum"])
        .where("name", "=", file.name)
        .executeTakeFirst();
      if (row) {
        if (row.checksum !== file.checksum) {
          logger.warn("a migration changed after it was applied; it is not applied again", {
            name: file.name,
          });
        }
        return false;
      }
      try {
        await sql.raw(file.sql).execute(trx);
      } catch (error) {
        throw new CcaError(
          "internal",
          `Migration ${file.name} failed on ${database.engine} (${database.location}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      await trx
        .insertInto("cca_migrations")
        .values({ name: file.name, checksum: file.checksum, applied_at: new Date().toISOString() })
        .execute();
      return true;
    });
    if (done) {
      applied.push(file.name);
      logger.info("applied a migration", { name: file.name, engine: database.engine });
    }
  }
  return applied;
}
