import { sql } from "kysely";
import type { Database } from "../database/open-database.js";

/** A daemon as other daemons see it, to tell whether the tasks it owns are still looked after. */
export interface DaemonIdentity {
  /** Unique among daemons on one database, e.g. `ccad-<host>-<pid>`. */
  name: string;
  hostname: string;
  pid: number;
  url?: string | null;
}

/** Tells alive from gone, given where the asking daemon runs. */
export interface LivenessRules {
  /** The asking daemon's host: there, a daemon whose pid is not running is gone at once. */
  hostname: string;
  /** A daemon unseen for longer is gone, wherever it ran. */
  staleMs: number;
  /** Whether a process runs on this host (default: `process.kill(pid, 0)`). */
  isPidAlive?: (pid: number) => boolean;
}

/** The daemons that use the database, with their heartbeats. */
export class DaemonRepository {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Records this daemon as started (again, if the name was used before). */
  async register(daemon: DaemonIdentity): Promise<void> {
    const now = new Date().toISOString();
    await this.#database.db
      .insertInto("daemons")
      .values({ ...daemon, url: daemon.url ?? null, started_at: now, last_seen_at: now, stopped_at: null })
      .onConflict((conflict) =>
        conflict.column("name").doUpdateSet({
          hostname: daemon.hostname,
          pid: daemon.pid,
          url: daemon.url ?? null,
          started_at: now,
          last_seen_at: now,
          stopped_at: null,
        }),
      )
      .execute();
  }

  async heartbeat(name: string, url?: string): Promise<void> {
    await this.#database.db
      .updateTable("daemons")
      .set({ last_seen_at: new Date().toISOString(), ...(url ? { url } : {}) })
      .where("name", "=", name)
      .execute();
  }

  async markStopped(name: string): Promise<void> {
    await this.#database.db
      .updateTable("daemons")
      .set({ stopped_at: new Date().toISOString() })
      .where("name", "=", name)
      .execute();
  }

  /** Which of `names` are gone: stopped, unknown, unseen for `staleMs`, or on this host with no such process. */
  async gone(names: readonly string[], rules: LivenessRules): Promise<Set<string>> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return new Set();
    const isPidAlive = rules.isPidAlive ?? pidIsAlive;
    const rows = await this.#database.db
      .selectFrom("daemons")
      .select([
        "name",
        "hostname",
        "pid",
        "stopped_at",
        sql<number>`extract(epoch from (now() - last_seen_at)) * 1000`.as("unseen_ms"),
      ])
      .where("name", "in", unique)
      .execute();
    const known = new Map(rows.map((row) => [row.name, row]));
    const gone = new Set<string>();
    for (const name of unique) {
      const row = known.get(name);
      if (
        !row ||
        row.stopped_at !== null ||
        Number(row.unseen_ms) > rules.staleMs ||
        (row.hostname === rules.hostname && !isPidAlive(Number(row.pid)))
      ) {
        gone.add(name);
      }
    }
    return gone;
  }

  /** Forgets daemons that stopped or were unseen before `cutoff`. */
  async deleteUnseenBefore(cutoff: Date): Promise<number> {
    const result = await this.#database.db
      .deleteFrom("daemons")
      .where("last_seen_at", "<", cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
