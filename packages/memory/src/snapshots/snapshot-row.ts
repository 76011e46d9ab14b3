import { AgentSchema, CcaError } from "@cca/core";
import { z } from "zod";

/** Why a snapshot was taken: an agent's turn ended, or the agent stopped. */
export const SNAPSHOT_REASONS = ["turn_end", "stop"] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

/** The transcript stored with a snapshot: the bytes' sha256 and length before compression. */
export const SnapshotTranscriptSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  compression: z.literal("zstd"),
});
export type SnapshotTranscript = z.infer<typeof SnapshotTranscriptSchema>;

/** An agent's state at a turn end or stop, and what is known of its Claude Code transcript. */
export const ContextSnapshotSchema = z.object({
  id: z.number().int().positive(),
  agent_id: z.string(),
  role: z.string(),
  session_id: z.string().nullable(),
  reason: z.enum(SNAPSHOT_REASONS),
  /** The agent's record when the snapshot was taken. */
  agent: AgentSchema,
  /** Where the transcript was looked for; null when the agent had no session yet. */
  transcript_path: z.string().nullable(),
  /** The stored transcript, or null when there was none to read at `transcript_path`. */
  transcript: SnapshotTranscriptSchema.nullable(),
  created_at: z.string(),
});
export type ContextSnapshot = z.infer<typeof ContextSnapshotSchema>;

/** Every column but the compressed bytes, which are read only when asked for. */
export const SNAPSHOT_COLUMNS = [
  "id",
  "agent_id",
  "role",
  "session_id",
  "reason",
  "agent",
  "transcript_path",
  "transcript_sha256",
  "transcript_bytes",
  "compression",
  "created_at",
] as const;

/** `compression` of a row stored without a transcript. */
export const NO_TRANSCRIPT = "none";

const SnapshotRowSchema = z
  .object({
    id: z.number().int().positive(),
    agent_id: z.string(),
    role: z.string(),
    session_id: z.string().nullable(),
    reason: z.enum(SNAPSHOT_REASONS),
    agent: AgentSchema,
    transcript_path: z.string().nullable(),
    transcript_sha256: z.string().nullable(),
    transcript_bytes: z.number().int().nullable(),
    compression: z.enum(["zstd", NO_TRANSCRIPT]),
    created_at: z.coerce.date(),
  })
  .transform((row, context): ContextSnapshot => {
    let transcript: SnapshotTranscript | null = null;
    if (row.compression === "zstd") {
      const parsed = SnapshotTranscriptSchema.safeParse({
        sha256: row.transcript_sha256,
        bytes: row.transcript_bytes,
        compression: row.compression,
      });
      if (!parsed.success) {
        context.addIssue({
          code: "custom",
          message: `a zstd transcript needs its sha256 and byte count: ${parsed.error.message}`,
        });
        return z.NEVER;
      }
      transcript = parsed.data;
    }
    return {
      id: row.id,
      agent_id: row.agent_id,
      role: row.role,
      session_id: row.session_id,
      reason: row.reason,
      agent: row.agent,
      transcript_path: row.transcript_path,
      transcript,
      created_at: row.created_at.toISOString(),
    };
  });

/** A `context_snapshots` row as a snapshot, or a CcaError naming the row and what is wrong with it. */
export function parseSnapshotRow(row: unknown): ContextSnapshot {
  const parsed = SnapshotRowSchema.safeParse(row);
  if (!parsed.success) {
    const id = typeof row === "object" && row !== null && "id" in row ? ` (id ${String(row.id)})` : "";
    throw new CcaError(
      "internal",
      `A context_snapshots row${id} in the database does not parse: ${z.prettifyError(parsed.error)}`,
      { details: { table: "context_snapshots", id: id ? (row as { id: unknown }).id : undefined } },
    );
  }
  return parsed.data;
}

/** The compressed bytes column, as it comes back from PostgreSQL (Buffer) or PGlite (Uint8Array). */
export const CompressedTranscriptSchema = z.instanceof(Uint8Array);
