import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { connectRedis, quitRedis } from "@cca/core/redis";
import type { CcadProcess } from "../support/ccad-process.js";
import { scratchDatabase } from "../support/postgres.js";

/** The Redis that benchmarks share work through: `$REDIS_URL`, else the machine's. */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Where the daemons of one measurement keep their state. `pglite`: the default, PGlite
 * under `$CCA_HOME/data`. `postgres`: a scratch PostgreSQL database (tasks, and the queue
 * as BullMQ on PostgreSQL). `postgres+redis`: the same database, the queue and bus on
 * Redis under a key prefix of its own.
 */
export type StorageKind = "pglite" | "postgres" | "postgres+redis";

/** What printed rows call each kind. */
export const STORAGE_LABELS: Record<StorageKind, string> = {
  pglite: "PGlite (default)",
  postgres: "PostgreSQL",
  "postgres+redis": "PostgreSQL + Redis",
};

export interface StorageSetup {
  kind: StorageKind;
  /** The daemon environment that selects it. */
  env: Record<string, string>;
  /** The scratch database's URL, for seeding it directly; absent for PGlite. */
  postgresUrl?: string;
  /** Drops the scratch database and deletes the Redis keys. PGlite's data goes with its CCA home. */
  remove(): Promise<void>;
}

export async function prepareStorage(kind: StorageKind): Promise<StorageSetup> {
  if (kind === "pglite") return { kind, env: {}, remove: async () => {} };
  const database = await scratchDatabase();
  const env: Record<string, string> = { CCA__POSTGRES__URL: database.url };
  const prefix = kind === "postgres+redis" ? `cca-bench-${randomUUID()}` : undefined;
  if (prefix) Object.assign(env, { CCA__REDIS__URL: REDIS_URL, CCA__REDIS__KEY_PREFIX: prefix });
  return {
    kind,
    env,
    postgresUrl: database.url,
    async remove() {
      await database.drop();
      if (prefix) await deleteRedisKeys(`${prefix}:*`);
    },
  };
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = await connectRedis(REDIS_URL, { connectionName: "cca-bench-cleanup" });
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    }
  } finally {
    await quitRedis(redis);
  }
}

/** Stops the daemon and deletes its CCA home (token, PGlite data, agents' work folders). */
export async function stopAndRemove(ccad: CcadProcess): Promise<void> {
  await ccad.stop();
  rmSync(ccad.home, { recursive: true, force: true });
}
