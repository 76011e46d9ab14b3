import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { PgModule } from "bullmq";

/** The PostgreSQL these tests use: `DATABASE_URL`, else the local default (trust auth, database `test`). */
export const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

// `pg` ships no types of its own; BullMQ's description of it is enough for tests.
const pg = createRequire(import.meta.url)("pg") as PgModule;

/** A single PostgreSQL connection. */
export type PgClient = InstanceType<PgModule["Client"]>;

/**
 * A connection to the test PostgreSQL. When there is none, fails (never skips): CI has
 * PostgreSQL, so a missing one is a broken machine, not a reason to pass.
 */
export async function requirePostgres(): Promise<PgClient> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(
      `These tests need a real PostgreSQL and none answers at ${POSTGRES_URL} (${reason}). Start one ` +
        "(`docker compose up -d postgres`, or a local server with trust auth and a database named " +
        "`test`), or point DATABASE_URL at one.",
      { cause: error },
    );
  }
}

/** A schema name no other test uses, so tests can run side by side on one database. */
export function uniqueSchema(): string {
  return `cca_test_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

/** Drops `schema` and everything in it. */
export async function dropSchema(client: PgClient, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
