import { randomBytes } from "node:crypto";
import { type Database, migrate, openDatabase } from "@cca/memory";
import { sql } from "kysely";

/** The PostgreSQL server tests use: `$DATABASE_URL`, else the machine's (`pnpm test` starts it). */
export const POSTGRES_ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A PostgreSQL database of one test's own, on the shared server. */
export interface ScratchPostgres {
  /** The database's name, for statements about it (`alter database <name> …`). */
  readonly name: string;
  /** Where daemons find it (`postgres.url`). */
  readonly url: string;
  /** Open on `url`, migrated. */
  readonly database: Database;
  /** Runs a statement on the server's maintenance database, as the admin. */
  admin(statement: string): Promise<void>;
  /** Closes `database` and drops the database (whoever is still connected). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database on the PostgreSQL server, opens it and applies the migrations.
 * Fails loudly, saying what to start, when the server is not there.
 */
export async function scratchPostgres(): Promise<ScratchPostgres> {
  const name = `cca_test_${randomBytes(6).toString("hex")}`;
  const admin = await openDatabase({ postgresUrl: POSTGRES_ADMIN_URL, poolSize: 1 }).catch(
    (error: unknown) => {
      throw new Error(
        `PostgreSQL is needed at ${POSTGRES_ADMIN_URL} (set DATABASE_URL for another; bash scripts/ensure-services.sh starts it): ${error}`,
      );
    },
  );
  const run = async (statement: string) => {
    await sql.raw(statement).execute(admin.db);
  };
  await run(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ postgresUrl: url.toString() });
  await migrate(database);
  return {
    name,
    url: url.toString(),
    database,
    admin: run,
    async drop() {
      await database.close();
      await run(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}
