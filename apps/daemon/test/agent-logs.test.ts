import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Agent, AgentLogsResponseSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentTranscriptPath } from "../src/agents/transcript/index.js";
import { startTestDaemon, type TestDaemon } from "./support.js";

/** A transcript the real Claude Code wrote on the mock (src/agents/transcript/fixtures/generate-transcript.ts). */
const HEADLESS_SESSION = fileURLToPath(
  new URL("../src/agents/transcript/fixtures/headless-session.jsonl", import.meta.url),
);

let t: TestDaemon;
let claudeConfigDir: string;
beforeEach(async () => {
  claudeConfigDir = mkdtempSync(join(tmpdir(), "ccad-logs-claude-"));
  t = await startTestDaemon({ env: { ...process.env, CLAUDE_CONFIG_DIR: claudeConfigDir } });
});
afterEach(async () => {
  await t.close();
  rmSync(claudeConfigDir, { recursive: true, force: true });
});

/** Puts the fixture where Claude Code keeps the agent's transcript (the fake claude writes none). */
function writeTranscriptOf(agent: Agent): string {
  const path = agentTranscriptPath({ claudeConfigDir, cwd: agent.working_dir, sessionId: agent.session_id! });
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(HEADLESS_SESSION, path);
  return path;
}

async function logs(id: string, query = "") {
  const response = await t.call(`/api/v1/agents/${id}/logs${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /api/v1/agents/:id/logs", () => {
  it("shows the agent's transcript from where its Claude Code keeps it, as the agents' CLAUDE_CONFIG_DIR says", async () => {
    const agent = await t.client.spawnAgent("backend");
    const path = writeTranscriptOf(agent);

    const { status, body } = await logs(agent.id);

    expect(status).toBe(200);
    const answer = AgentLogsResponseSchema.parse(body);
    expect(answer).toMatchObject({
      agent_id: agent.id,
      session_id: agent.session_id,
      transcript_path: path,
      omitted: 0,
      malformed_lines: 0,
    });
    expect(answer.entries.map((entry) => entry.kind)).toEqual([
      "user",
      "text",
      "usage",
      "user",
      "text",
      "tool_use",
      "usage",
      "tool_result",
      "text",
      "usage",
      "user",
      "tool_use",
      "usage",
      "tool_result",
      "text",
      "usage",
    ]);
    expect(answer.entries[7]).toMatchObject({ kind: "tool_result", content: "hi", is_error: false });
  });

  it("keeps the newest entries with lines, saying how many it left out", async () => {
    const agent = await t.client.spawnAgent("backend");
    writeTranscriptOf(agent);

    const answer = AgentLogsResponseSchema.parse((await logs(agent.id, "?lines=2")).body);

    expect(answer.entries.map((entry) => entry.kind)).toEqual(["text", "usage"]);
    expect(answer.omitted).toBe(14);
  });

  it("answers only what was written after the cursor, skipping and counting malformed lines", async () => {
    const agent = await t.client.spawnAgent("backend");
    const path = writeTranscriptOf(agent);
    const first = await t.client.agentLogs(agent.id);

    appendFileSync(
      path,
      `${JSON.stringify({ type: "user", message: { role: "user", content: "one more" }, timestamp: "2026-01-01T00:00:00.000Z" })}\n{oops\n`,
    );
    const next = await t.client.agentLogs(agent.id, { after: first.next_cursor });
    const after = await t.client.agentLogs(agent.id, { after: next.next_cursor });

    expect(next.entries).toEqual([{ kind: "user", at: "2026-01-01T00:00:00.000Z", text: "one more" }]);
    expect(next.malformed_lines).toBe(1);
    expect(Number(next.next_cursor)).toBeGreaterThan(Number(first.next_cursor));
    expect(after).toMatchObject({ entries: [], next_cursor: next.next_cursor });
  });

  it("answers no entries for an agent whose transcript is not written yet", async () => {
    const agent = await t.client.spawnAgent("backend");

    const { status, body } = await logs(agent.id);

    expect(status).toBe(200);
    expect(body).toMatchObject({ agent_id: agent.id, entries: [], omitted: 0, next_cursor: "0" });
  });

  it("answers 404 agent_not_found for an unknown agent", async () => {
    const { status, body } = await logs("agent_nope");

    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: "agent_not_found" } });
  });

  it.each([
    ["?lines=0", /lines must be at least 1/],
    ["?lines=lots", /lines must be a number/],
    ["?lines=20000", /lines must be at most 10000/],
    ["?after=-1", /after must be the next_cursor of an earlier answer/],
  ])("refuses %s with 400 and what is wrong", async (query, message) => {
    const agent = await t.client.spawnAgent("backend");

    const { status, body } = await logs(agent.id, query);

    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: "bad_request", message: expect.stringMatching(message) } });
  });
});
