import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_memory", () => {
  it("returns the lessons that fit, for the Command Center's project, with how each fared", async () => {
    const daemon = new InMemoryDaemonClient();
    const item = await daemon.addMemory({
      title: "Migrate before testing",
      content: "Run pnpm migrate first.",
      kind: "guardrail",
      project_dir: "/work/shop",
    });
    const client = await open(daemon, { projectDir: "/work/shop" });
    const result = await client.callTool({
      name: "cca_memory",
      arguments: { query: "testing fails" },
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      `1. [guardrail] Migrate before testing (${item.id}; score 1.00, similarity 0.50, used 0×)\nRun pnpm migrate first.\n\n(embeddings: fixture-words)`,
    );
    expect(daemon.memorySearches).toEqual([{ query: "testing fails", limit: 3, projectDir: "/work/shop" }]);
  });

  it("says when nothing fits, and refuses an empty query", async () => {
    const client = await open(new InMemoryDaemonClient());
    const none = await client.callTool({
      name: "cca_memory",
      arguments: { query: "anything", limit: 2 },
    });
    expect(textOf(none)).toBe("No lesson in memory fits this (embeddings: fixture-words).");
    const empty = await client.callTool({ name: "cca_memory", arguments: { query: "  " } });
    expect(empty.isError).toBe(true);
    expect(textOf(empty)).toContain("query must not be empty");
  });
});
