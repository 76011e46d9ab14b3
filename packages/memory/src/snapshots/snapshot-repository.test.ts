import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agentRecord as agent } from "../../test/support/agent-record.js";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { SnapshotRepository } from "./snapshot-repository.js";

/** JSONL lines shaped like Claude Code's, `count` of them, each with `text` and some noise. */
function transcriptLines(count: number, text: string): string {
  let lines = "";
  for (let index = 0; index < count; index++) {
    const line = {
      type: index % 2 ? "assistant" : "user",
      uuid: randomBytes(16).toString("hex"),
      message: {
        role: index % 2 ? "assistant" : "user",
        content: [{ type: "text", text: `${text} #${index}` }],
      },
      noise: randomBytes(24).toString("base64"),
    };
    lines += `${JSON.stringify(line)}\n`;
  }
  return lines;
}

describe.each(ENGINES)("SnapshotRepository on %s", (engine) => {
  let database: Database;
  let snapshots: SnapshotRepository;
  let now = Date.parse("2026-12-01T10:00:00.000Z");
  const folder = mkdtempSync(join(tmpdir(), "cca-snapshots-"));
  const file = (name: string) => join(folder, name);

  beforeAll(async () => {
    database = await freshDatabase(engine);
    snapshots = new SnapshotRepository(database, { clock: { now: () => now } });
  });
  afterAll(async () => {
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await sql`delete from context_snapshots`.execute(database.db);
  });

  it("gives back the transcript byte for byte, non-ASCII and multi-megabyte ones included", async () => {
    const small = Buffer.from(transcriptLines(3, 'héllo — 日本語 🙂 \u0000 \\ "quoted"'), "utf8");
    const large = Buffer.from(transcriptLines(40_000, "a longer turn with ünïcödé"), "utf8");
    expect(large.length).toBeGreaterThan(5_000_000);
    for (const [name, bytes] of [
      ["small.jsonl", small],
      ["large.jsonl", large],
    ] as const) {
      writeFileSync(file(name), bytes);
      const saved = await snapshots.save({
        agent: agent(name),
        reason: "turn_end",
        transcriptPath: file(name),
      });
      expect(saved.stored).toBe(true);

      const latest = await snapshots.latest(name);
      expect(latest).toEqual(saved.snapshot);
      expect(latest).toMatchObject({
        agent_id: name,
        role: "backend",
        session_id: `session-${name}`,
        reason: "turn_end",
        agent: agent(name),
        transcript_path: file(name),
        transcript: { bytes: bytes.length, compression: "zstd" },
        created_at: "2026-12-01T10:00:00.000Z",
      });
      const back = await snapshots.transcript(latest!);
      expect(back?.equals(bytes)).toBe(true);
    }
    const stored = await sql<{ size: number }>`
      select octet_length(compressed_transcript) as size from context_snapshots where agent_id = 'large.jsonl'
    `.execute(database.db);
    expect(Number(stored.rows[0]?.size)).toBeLessThan(large.length / 2);
  });

  it("stores a snapshot without transcript when the file is missing or there is no path", async () => {
    const missing = await snapshots.save({
      agent: agent("a1"),
      reason: "stop",
      transcriptPath: file("nowhere.jsonl"),
    });
    const noPath = await snapshots.save({
      agent: agent("a2", { session_id: null }),
      reason: "stop",
      transcriptPath: null,
    });

    expect(missing.snapshot).toMatchObject({
      transcript_path: file("nowhere.jsonl"),
      transcript: null,
      reason: "stop",
    });
    expect(noPath.snapshot).toMatchObject({ transcript_path: null, transcript: null, session_id: null });
    expect(await snapshots.transcript(missing.snapshot)).toBeNull();
  });

  it("leaves out a last line Claude Code is still writing", async () => {
    const complete = transcriptLines(2, "done");
    writeFileSync(file("partial.jsonl"), `${complete}{"type":"assistant","mess`);
    const { snapshot } = await snapshots.save({
      agent: agent("a1"),
      reason: "turn_end",
      transcriptPath: file("partial.jsonl"),
    });
    expect((await snapshots.transcript(snapshot))?.toString("utf8")).toBe(complete);
  });

  it("does not store the same transcript again for the same agent and session", async () => {
    writeFileSync(file("same.jsonl"), transcriptLines(5, "same"));
    const first = await snapshots.save({
      agent: agent("a1"),
      reason: "turn_end",
      transcriptPath: file("same.jsonl"),
    });
    const again = await snapshots.save({
      agent: agent("a1", { state: "stopped" }),
      reason: "stop",
      transcriptPath: file("same.jsonl"),
    });
    expect(again).toEqual({ snapshot: first.snapshot, stored: false });

    const otherAgent = await snapshots.save({
      agent: agent("a2"),
      reason: "turn_end",
      transcriptPath: file("same.jsonl"),
    });
    writeFileSync(file("same.jsonl"), transcriptLines(6, "grown"));
    const grown = await snapshots.save({
      agent: agent("a1"),
      reason: "turn_end",
      transcriptPath: file("same.jsonl"),
    });
    expect([otherAgent.stored, grown.stored]).toEqual([true, true]);
    const count = await sql<{ n: number }>`select count(*)::int as n from context_snapshots`.execute(
      database.db,
    );
    expect(count.rows[0]?.n).toBe(3);
  });

  it("finds the latest snapshot of a session whichever agent took it, optionally one with a transcript", async () => {
    writeFileSync(file("session.jsonl"), transcriptLines(2, "shared"));
    const withFile = await snapshots.save({
      agent: agent("first", { session_id: "s1" }),
      reason: "stop",
      transcriptPath: file("session.jsonl"),
    });
    const resumed = await snapshots.save({
      agent: agent("second", { session_id: "s1" }),
      reason: "turn_end",
      transcriptPath: file("lost.jsonl"),
    });

    expect((await snapshots.latestForSession("s1"))?.id).toBe(resumed.snapshot.id);
    expect((await snapshots.latestForSession("s1", { withTranscript: true }))?.id).toBe(withFile.snapshot.id);
    expect(await snapshots.latest("second", { withTranscript: true })).toBeUndefined();
    expect(await snapshots.latestForSession("no-such-session")).toBeUndefined();
  });

  it("prunes all but the newest per agent, and everything older than the cutoff", async () => {
    const ids: Record<string, number[]> = { a1: [], a2: [], old: [] };
    const save = async (id: string, at: string) => {
      now = Date.parse(at);
      const { snapshot } = await snapshots.save({
        agent: agent(id),
        reason: "turn_end",
        transcriptPath: null,
      });
      ids[id]?.push(snapshot.id);
    };
    await save("old", "2026-01-01T00:00:00.000Z");
    for (const day of ["10", "11", "12", "13"]) await save("a1", `2026-11-${day}T00:00:00.000Z`);
    await save("a2", "2026-11-20T00:00:00.000Z");

    const deleted = await snapshots.prune({
      keepPerAgent: 2,
      olderThan: new Date("2026-06-01T00:00:00.000Z"),
    });

    expect(deleted).toBe(3);
    const left = await sql<{ id: number }>`select id from context_snapshots order by id`.execute(database.db);
    expect(left.rows.map((row) => row.id)).toEqual([...ids.a1!.slice(2), ...ids.a2!]);
    expect(await snapshots.prune({})).toBe(0);
    await expect(snapshots.prune({ keepPerAgent: -1 })).rejects.toMatchObject({ code: "bad_request" });
  });

  it("restores a lost transcript to a path whose folders are gone, exactly, readable only by its owner", async () => {
    const bytes = Buffer.from(transcriptLines(50, "restore me — ✓"), "utf8");
    writeFileSync(file("restore.jsonl"), bytes);
    const { snapshot } = await snapshots.save({
      agent: agent("a1"),
      reason: "stop",
      transcriptPath: file("restore.jsonl"),
    });
    const target = join(folder, "gone", "projects", "-work-a1", "session-a1.jsonl");

    expect(await snapshots.restoreTranscript(snapshot, target)).toEqual({ path: target, written: true });
    expect(readFileSync(target).equals(bytes)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it("keeps a transcript that is already there unless told to overwrite it", async () => {
    writeFileSync(file("keep.jsonl"), transcriptLines(2, "old"));
    const { snapshot } = await snapshots.save({
      agent: agent("a1"),
      reason: "stop",
      transcriptPath: file("keep.jsonl"),
    });
    const newer = transcriptLines(3, "written by Claude Code after the snapshot");
    writeFileSync(file("keep.jsonl"), newer);

    expect(await snapshots.restoreTranscript(snapshot, file("keep.jsonl"))).toMatchObject({ written: false });
    expect(readFileSync(file("keep.jsonl"), "utf8")).toBe(newer);
    expect(
      await snapshots.restoreTranscript(snapshot, file("keep.jsonl"), { overwrite: true }),
    ).toMatchObject({
      written: true,
    });
    expect(readFileSync(file("keep.jsonl")).equals((await snapshots.transcript(snapshot))!)).toBe(true);
  });

  it("refuses to restore a snapshot that holds no transcript, saying which", async () => {
    const { snapshot } = await snapshots.save({
      agent: agent("a1"),
      reason: "stop",
      transcriptPath: file("never.jsonl"),
    });
    await expect(snapshots.restoreTranscript(snapshot, file("out.jsonl"))).rejects.toMatchObject({
      code: "not_found",
      message: expect.stringContaining(`Snapshot ${snapshot.id} of agent a1 holds no transcript`),
    });
  });

  it("refuses a transcript whose bytes no longer match their checksum", async () => {
    writeFileSync(file("corrupt.jsonl"), transcriptLines(4, "x"));
    const { snapshot } = await snapshots.save({
      agent: agent("a1"),
      reason: "stop",
      transcriptPath: file("corrupt.jsonl"),
    });
    await sql`update context_snapshots set transcript_sha256 = ${"0".repeat(64)} where id = ${snapshot.id}`.execute(
      database.db,
    );
    const tampered = await snapshots.latest("a1");
    await expect(snapshots.transcript(tampered!)).rejects.toThrow(/does not match its checksum/);
  });

  it("refuses a row that does not parse instead of passing it on", async () => {
    const { snapshot } = await snapshots.save({ agent: agent("a1"), reason: "stop", transcriptPath: null });
    await sql`update context_snapshots set agent = '{"id": 5}'::jsonb, reason = 'exploded' where id = ${snapshot.id}`.execute(
      database.db,
    );
    await expect(snapshots.latest("a1")).rejects.toMatchObject({
      code: "internal",
      message: expect.stringMatching(
        new RegExp(
          `A context_snapshots row \\(id ${snapshot.id}\\) in the database does not parse:[^]*reason[^]*agent`,
        ),
      ),
    });
  });
});
