import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, type Engine, migrate, openDatabase } from "../../src/index.js";

/** The PostgreSQL server tests use: `$DATABASE_URL`, else the machine's on 127.0.0.1:5432. */
export const POSTGRES_ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export const ENGINES: readonly Engine[] = ["pglite", "postgres"];

/**
 * A fresh, migrated database on `engine`: PGlite in memory, or a new PostgreSQL database
 * (dropped by `close`). Fails loudly, saying what to start, when PostgreSQL is missing.
 */
export async function freshDatabase(engine: Engine): Promise<Database & { url: string | null }> {
  if (engine === "pglite") {
    const database = await openDatabase();
    await migrate(database);
    return Object.assign(database, { url: null });
  }
  const name = `cca_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (error) {
    throw new Error(
      `PostgreSQL is needed at ${POSTGRES_ADMIN_URL} (set DATABASE_URL to another server): ${(error as Error).message}. Start it (pg_ctlcluster 15 main start) and build pgvector (bash scripts/ensure-services.sh).`,
    );
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ postgresUrl: url.toString(), poolSize: 4 });
  await migrate(database);
  const close = database.close;
  return Object.assign(database, {
    url: url.toString(),
    close: async () => {
      await close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  });
}
