import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock, tokenRow } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();
const NOW = Date.parse("2026-12-04T10:30:00.000Z");

describe("cca_tokens", () => {
  it("tables the last 24 hours by role, most tokens first, with the total", async () => {
    const daemon = new InMemoryDaemonClient({ clock: new ManualClock(NOW) });
    daemon.setTokenRows([
      tokenRow({ key: "backend", turns: 3, input_tokens: 12_000, output_tokens: 1_500, cost_usd: 1.5 }),
      tokenRow({
        key: "coordinator",
        input_tokens: 200,
        output_tokens: 40,
        cache_creation_input_tokens: 200,
        cache_read_input_tokens: 600,
        cost_usd: 0.25,
      }),
    ]);
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_tokens", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      [
        "Tokens by role since 2026-12-03 10:30 UTC:",
        "",
        "| role | turns | input | output | cache write | cache read | cache-read share | cost |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| backend | 3 | 12,000 | 1,500 | 0 | 0 | 0% | $1.50 |",
        "| coordinator | 1 | 200 | 40 | 200 | 600 | 60% | $0.2500 |",
        "| **total** | 4 | 12,200 | 1,540 | 200 | 600 | 5% | $1.75 |",
      ].join("\n"),
    );
    expect(daemon.tokenQueries).toEqual([{ since: "24h" }]);
  });

  it("reports all of one task by top-level task, (none) for turns of no task", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.setTokenRows([
      tokenRow({ key: "task_1", input_tokens: 10 }),
      tokenRow({ key: null, input_tokens: 5 }),
    ]);
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_tokens",
      arguments: { by: "task", task_id: "task_1" },
    });
    const lines = textOf(result).split("\n");
    expect(lines[0]).toBe("Tokens by task of task task_1 and its parts:");
    expect(lines[2]).toMatch(/^\| task \| turns \|/);
    expect(lines.slice(4).map((line) => line.split(" | ")[0])).toEqual([
      "| task_1",
      "| (none)",
      "| **total**",
    ]);
    expect(daemon.tokenQueries).toEqual([{ by: "task", task_id: "task_1" }]);
  });

  it("adds what several of the task's agents were sent, with estimated tokens and what to do", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.setTokenRows([tokenRow({ key: "backend", input_tokens: 10 })]);
    daemon.setRedundancy([
      {
        kind: "file",
        what: "src/db.ts",
        recipients: [
          { task_id: "p1", role: "backend", agent_id: "backend_1" },
          { task_id: "p2", role: "qa", agent_id: "qa_1" },
        ],
        tokens_each: 1_000,
        tokens_saveable: 1_000,
        recommendation: "Have one read it.",
      },
    ]);
    const client = await open(daemon);
    const text = textOf(await client.callTool({ name: "cca_tokens", arguments: { task_id: "task_1" } }));
    expect(text.split("\n").slice(-2)).toEqual([
      "Sent to more than one agent: ~1,000 tokens (estimated, chars/4):",
      "- file src/db.ts: ~1,000 tokens more than once. Have one read it.",
    ]);
    // Without a task, no redundancy is asked for.
    expect(textOf(await client.callTool({ name: "cca_tokens", arguments: {} }))).not.toContain(
      "more than one agent",
    );
  });

  it("says so when no turn was recorded, asking for every turn with since all", async () => {
    const daemon = new InMemoryDaemonClient();
    const client = await open(daemon);
    const result = await client.callTool({ name: "cca_tokens", arguments: { since: "all", by: "day" } });
    expect(textOf(result)).toBe("No turns recorded.");
    expect(daemon.tokenQueries).toEqual([{ by: "day" }]);
  });

  it("passes on the daemon's complaint about a bad since, and refuses an unknown grouping", async () => {
    const client = await open(new InMemoryDaemonClient());
    const badSince = await client.callTool({ name: "cca_tokens", arguments: { since: "yesterday" } });
    expect(badSince.isError).toBe(true);
    expect(textOf(badSince)).toBe(
      'Could not read the token report [bad_request]: since must be a time (2026-12-01 or 2026-12-01T09:00:00Z) or a span (30m, 24h, 7d), not "yesterday"',
    );
    const badGroup = await client.callTool({ name: "cca_tokens", arguments: { by: "agent" } });
    expect(badGroup.isError).toBe(true);
    expect(textOf(badGroup)).toContain("by must be one of role, project, day, task");
  });
});
