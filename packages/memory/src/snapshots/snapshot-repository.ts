import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Agent, CcaError, type Clock, systemClock } from "@cca/core";
import { sql } from "kysely";
import type { Database } from "../database/open-database.js";
import {
  CompressedTranscriptSchema,
  type ContextSnapshot,
  NO_TRANSCRIPT,
  parseSnapshotRow,
  SNAPSHOT_COLUMNS,
  type SnapshotReason,
} from "./snapshot-row.js";
import { zstdCompress, zstdDecompress } from "./zstd.js";

/** zstd level used unless told otherwise; `pnpm --filter @cca/memory bench` shows the trade. */
export const DEFAULT_COMPRESSION_LEVEL = 3;

export interface SnapshotRepositoryOptions {
  /** zstd level, 1 (fastest) to 22 (smallest). */
  compressionLevel?: number;
  /** Stamps `created_at`; the system clock by default. */
  clock?: Clock;
}

/** What `save` did: stored a new snapshot, or found the agent's latest one already holds this transcript. */
export interface SavedSnapshot {
  snapshot: ContextSnapshot;
  /** False when nothing was written because the latest snapshot has the same session and transcript. */
  stored: boolean;
}

/** What `restoreTranscript` did at `path`. */
export interface RestoredTranscript {
  path: string;
  /** False when a file was already there and `overwrite` was not set: it is left as it is. */
  written: boolean;
}

/**
 * Agents' context snapshots: the agent's record at a turn end or stop, with its Claude Code
 * transcript compressed (zstd), so that a conversation whose transcript file was lost can be
 * put back for `claude --resume`.
 *
 * Deduplication: `save` writes nothing when the agent's latest snapshot has the same session
 * and a transcript with the same sha256 (an agent stopped right after a turn, or a turn that
 * added nothing); it resolves with that snapshot and `stored: false`. Rows never refer to one
 * another, so `prune` may delete any of them.
 * @example
 * const snapshots = new SnapshotRepository(database);
 * await snapshots.save({ agent, reason: "turn_end", transcriptPath: transcriptPath({ claudeConfigDir, cwd, sessionId }) });
 * const last = await snapshots.latestForSession(sessionId, { withTranscript: true });
 * if (last) await snapshots.restoreTranscript(last, last.transcript_path!);
 */
export class SnapshotRepository {
  readonly #database: Database;
  readonly #level: number;
  readonly #clock: Clock;

  constructor(database: Database, options: SnapshotRepositoryOptions = {}) {
    this.#database = database;
    const level = options.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL;
    if (!(Number.isInteger(level) && level >= 1 && level <= 22)) {
      throw new CcaError("bad_request", `compressionLevel must be a whole number from 1 to 22, not ${level}`);
    }
    this.#level = level;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Snapshots `agent`, with the transcript at `transcriptPath` if that file exists (a missing
   * file, or a null path, gives a snapshot without transcript). Only complete lines are kept:
   * Claude Code appends to the file as it goes, and a line it is still writing is left out.
   */
  async save(input: {
    agent: Agent;
    reason: SnapshotReason;
    transcriptPath: string | null;
  }): Promise<SavedSnapshot> {
    const { agent, reason, transcriptPath } = input;
    const transcript = transcriptPath === null ? null : await readTranscript(transcriptPath);
    const sha256 = transcript === null ? null : createHash("sha256").update(transcript).digest("hex");
    if (sha256 !== null) {
      const latest = await this.latest(agent.id);
      if (latest && latest.session_id === agent.session_id && latest.transcript?.sha256 === sha256) {
        return { snapshot: latest, stored: false };
      }
    }
    const compressed = transcript === null ? null : await zstdCompress(transcript, this.#level);
    const row = await this.#database.run(() =>
      this.#database.db
        .insertInto("context_snapshots")
        .values({
          agent_id: agent.id,
          role: agent.role,
          session_id: agent.session_id,
          reason,
          agent: JSON.stringify(agent),
          transcript_path: transcriptPath,
          transcript_sha256: sha256,
          transcript_bytes: transcript?.length ?? null,
          compression: compressed === null ? NO_TRANSCRIPT : "zstd",
          compressed_transcript: compressed,
          created_at: new Date(this.#clock.now()).toISOString(),
        })
        .returning(SNAPSHOT_COLUMNS)
        .executeTakeFirstOrThrow(),
    );
    return { snapshot: parseSnapshotRow(row), stored: true };
  }

  /** The agent's newest snapshot (with `withTranscript`, the newest one holding a transcript). */
  async latest(
    agentId: string,
    options: { withTranscript?: boolean } = {},
  ): Promise<ContextSnapshot | undefined> {
    return this.#newest("agent_id", agentId, options);
  }

  /** The newest snapshot of a Claude Code session, whichever agent had it. */
  async latestForSession(
    sessionId: string,
    options: { withTranscript?: boolean } = {},
  ): Promise<ContextSnapshot | undefined> {
    return this.#newest("session_id", sessionId, options);
  }

  /** A snapshot's transcript, exactly the bytes that were read; null when it has none. */
  async transcript(snapshot: ContextSnapshot): Promise<Buffer | null> {
    if (snapshot.transcript === null) return null;
    const row = await this.#database.run(() =>
      this.#database.db
        .selectFrom("context_snapshots")
        .select("compressed_transcript")
        .where("id", "=", snapshot.id)
        .executeTakeFirst(),
    );
    if (row === undefined) {
      throw new CcaError(
        "not_found",
        `Snapshot ${snapshot.id} of agent ${snapshot.agent_id} is gone (pruned?)`,
        {
          details: { id: snapshot.id },
        },
      );
    }
    const compressed = CompressedTranscriptSchema.safeParse(row.compressed_transcript);
    if (!compressed.success) {
      throw new CcaError(
        "internal",
        `Snapshot ${snapshot.id} says it holds a zstd transcript, but its bytes are missing`,
        {
          details: { id: snapshot.id },
        },
      );
    }
    const view = compressed.data;
    const bytes = await zstdDecompress(Buffer.from(view.buffer, view.byteOffset, view.byteLength));
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (bytes.length !== snapshot.transcript.bytes || sha256 !== snapshot.transcript.sha256) {
      throw new CcaError(
        "internal",
        `Snapshot ${snapshot.id}'s transcript does not match its checksum (${bytes.length} bytes, sha256 ${sha256}; ` +
          `stored as ${snapshot.transcript.bytes} bytes, sha256 ${snapshot.transcript.sha256}); it cannot be restored`,
        { details: { id: snapshot.id } },
      );
    }
    return bytes;
  }

  /**
   * Writes a snapshot's transcript to `path` (creating its folders, mode 0600), so that
   * `claude --resume <session>` finds it again. A file already at `path` is kept unless
   * `overwrite` is set: Claude Code may have written more since the snapshot.
   */
  async restoreTranscript(
    snapshot: ContextSnapshot,
    path: string,
    options: { overwrite?: boolean } = {},
  ): Promise<RestoredTranscript> {
    const bytes = await this.transcript(snapshot);
    if (bytes === null) {
      throw new CcaError(
        "not_found",
        `Snapshot ${snapshot.id} of agent ${snapshot.agent_id} holds no transcript (there was none at ` +
          `${snapshot.transcript_path ?? "(no path)"}); use latest(…, { withTranscript: true }) to find one that does`,
        { details: { id: snapshot.id, path } },
      );
    }
    await mkdir(dirname(path), { recursive: true });
    // Written beside the target, then moved in whole, so Claude Code never reads half a file.
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.restoring`;
    await writeFile(temporary, bytes, { mode: 0o600 });
    try {
      if (options.overwrite) {
        await rename(temporary, path);
        return { path, written: true };
      }
      try {
        await link(temporary, path);
        return { path, written: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return { path, written: false };
        throw error;
      }
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Retention: deletes every snapshot older than `olderThan`, and all but the newest
   * `keepPerAgent` of each agent. Resolves with how many it deleted.
   */
  async prune(rules: { keepPerAgent?: number; olderThan?: Date }): Promise<number> {
    const { keepPerAgent, olderThan } = rules;
    if (keepPerAgent !== undefined && !(Number.isInteger(keepPerAgent) && keepPerAgent >= 0)) {
      throw new CcaError(
        "bad_request",
        `keepPerAgent must be a whole number of 0 or more, not ${keepPerAgent}`,
      );
    }
    if (keepPerAgent === undefined && olderThan === undefined) return 0;
    const tooOld =
      olderThan === undefined ? sql<boolean>`false` : sql<boolean>`created_at < ${olderThan.toISOString()}`;
    const beyondKeep =
      keepPerAgent === undefined
        ? sql<boolean>`false`
        : sql<boolean>`id in (
            select id from (
              select id, row_number() over (partition by agent_id order by id desc) as newness
              from context_snapshots
            ) ranked where newness > ${keepPerAgent}
          )`;
    const result = await this.#database.run(() =>
      this.#database.db
        .deleteFrom("context_snapshots")
        .where(sql<boolean>`${tooOld} or ${beyondKeep}`)
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }

  async #newest(
    column: "agent_id" | "session_id",
    value: string,
    options: { withTranscript?: boolean },
  ): Promise<ContextSnapshot | undefined> {
    const row = await this.#database.run(() => {
      let query = this.#database.db
        .selectFrom("context_snapshots")
        .select(SNAPSHOT_COLUMNS)
        .where(column, "=", value);
      if (options.withTranscript) query = query.where("compression", "!=", NO_TRANSCRIPT);
      return query.orderBy("id", "desc").limit(1).executeTakeFirst();
    });
    return row === undefined ? undefined : parseSnapshotRow(row);
  }
}

/** The complete lines of a transcript file, or null when there is no file or no complete line. */
async function readTranscript(path: string): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CcaError(
      "internal",
      `Could not read the Claude Code transcript ${path}: ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  const end = bytes.lastIndexOf(0x0a) + 1;
  return end === 0 ? null : bytes.subarray(0, end);
}
