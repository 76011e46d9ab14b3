import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("/api/v1/tokens", () => {
  it("records every turn's tokens as Claude Code reported them, by role, day and top-level task", async () => {
    const { task } = await t.client.createTaskAndWait({ description: "say hello" });
    expect(task.status).toBe("completed");
    const byRole = await t.client.tokenReport();
    // The fake Claude Code reports 10 input and 5 output tokens per turn.
    expect(byRole.rows).toEqual([
      expect.objectContaining({ key: "coordinator", turns: 1, input_tokens: 10, output_tokens: 5 }),
    ]);
    expect(byRole.total).toMatchObject({ key: null, turns: 1, input_tokens: 10, cache_read_share: 0 });

    const byTask = await t.client.tokenReport({ by: "task" });
    expect(byTask.rows.map((row) => [row.key, row.turns])).toEqual([[task.id, 1]]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await t.client.tokenReport({ by: "day", since: "1h" })).rows.map((row) => row.key)).toEqual([
      today,
    ]);
    expect((await t.client.tokenReport({ task_id: "task_other" })).total.turns).toBe(0);
  });

  it("says what is wrong with a query", async () => {
    const badGroup = await t.call("/api/v1/tokens?by=agent");
    expect(badGroup.status).toBe(400);
    expect((await errorOf(badGroup)).message).toContain("by is one of role, project, day, task");
    const badSince = await t.call("/api/v1/tokens?since=yesterday");
    expect(badSince.status).toBe(400);
    expect((await errorOf(badSince)).message).toContain('a span (30m, 24h, 7d), not "yesterday"');
  });
});
