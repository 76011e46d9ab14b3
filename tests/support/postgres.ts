import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server tests use: `$DATABASE_URL`, else the machine's (`pnpm test` starts it). */
export const POSTGRES_ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database of its own for one test, with the URL daemons take as `postgres.url`. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is needed at ${POSTGRES_ADMIN_URL} (set DATABASE_URL for another): ${(error as Error).message}. Run bash scripts/ensure-services.sh, which starts it and builds pgvector.`,
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database; the daemons that use it apply the migrations. */
export async function scratchDatabase(): Promise<ScratchDatabase> {
  const name = `cca_e2e_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}
