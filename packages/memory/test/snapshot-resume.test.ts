import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Agent, emptyUsage } from "@cca/core";
import { lastUserTextIncludes, replyText } from "@cca/mock-anthropic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, SnapshotRepository, transcriptPath } from "../src/index.js";
import { type ClaudeOnMock, startClaudeOnMock } from "./support/claude.js";
import { freshDatabase } from "./support/engines.js";

describe("a snapshot brings back a conversation whose transcript was lost", () => {
  const cwd = realpathSync(mkdtempSync(join(tmpdir(), "cca-snapshot-resume-")));
  let claude: ClaudeOnMock;
  let database: Database;
  beforeAll(async () => {
    claude = await startClaudeOnMock([cwd]);
    database = await freshDatabase("pglite");
  });
  afterAll(async () => {
    await claude.close();
    await database.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("claude --resume continues it, sending the earlier turns along", async () => {
    claude.mock.on({ when: lastUserTextIncludes("the word is zebra"), reply: replyText("noted: zebra") });
    claude.mock.on({
      when: lastUserTextIncludes("which word"),
      reply: (request) =>
        replyText(request.allUserText.some((text) => text.includes("zebra")) ? "it was zebra" : "no idea"),
    });
    const sessionId = randomUUID();
    await claude.run(["-p", "the word is zebra", "--session-id", sessionId], cwd);
    const path = transcriptPath({ claudeConfigDir: claude.claudeConfigDir, cwd, sessionId });
    const agent: Agent = {
      id: "backend_1",
      role: "backend",
      state: "ready",
      driver: "headless",
      pid: null,
      session_id: sessionId,
      working_dir: cwd,
      project: null,
      current_task_id: null,
      tasks_completed: 1,
      usage: emptyUsage(),
      last_tool: null,
      last_error: null,
      created_at: new Date().toISOString(),
      last_activity_at: new Date().toISOString(),
    };
    const snapshots = new SnapshotRepository(database);
    await snapshots.save({ agent, reason: "stop", transcriptPath: path });

    rmSync(join(claude.claudeConfigDir, "projects"), { recursive: true });
    const snapshot = await snapshots.latestForSession(sessionId, { withTranscript: true });
    expect(snapshot?.transcript?.bytes).toBeGreaterThan(0);
    await snapshots.restoreTranscript(snapshot!, snapshot!.transcript_path!);
    expect(existsSync(path)).toBe(true);

    const answer = JSON.parse(
      await claude.run(
        ["-p", "which word did I say?", "--resume", sessionId, "--output-format", "json"],
        cwd,
      ),
    );
    expect(answer).toMatchObject({ is_error: false, result: "it was zebra", session_id: sessionId });
  }, 60_000);
});
