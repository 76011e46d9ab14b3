import { emptyUsage, newTask, type Task } from "@cca/core";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { TaskRepository } from "./task-repository.js";

let clock = Date.parse("2026-12-01T10:00:00.000Z");
function task(fields: Partial<Task> & { id: string }): Task {
  clock += 1000;
  return {
    ...newTask({ id: fields.id, description: `do ${fields.id}`, created_at: new Date(clock).toISOString() }),
    ...fields,
  };
}

describe.each(ENGINES)("TaskRepository on %s", (engine) => {
  let database: Database;
  let tasks: TaskRepository;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    tasks = new TaskRepository(database);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from tasks`.execute(database.db);
  });

  it("reads back exactly the task it stored", async () => {
    const stored = task({
      id: "t1",
      project: "/work/app",
      usage: {
        input_tokens: 5,
        output_tokens: 7,
        cache_creation_input_tokens: 1,
        cache_read_input_tokens: 2,
        cost_usd: 0.25,
      },
      error: { code: "timeout", message: "too slow" },
      status: "failed",
      started_at: "2026-12-01T10:00:05.123Z",
      finished_at: "2026-12-01T10:00:09.456Z",
      duration_ms: 4333.5,
      num_turns: 3,
    });
    await tasks.insert(stored);
    expect(await tasks.get("t1")).toEqual({ ...stored, team_usage: stored.usage, part_count: 0 });
  });

  it("adds up a top-level task's usage and all its parts', recursively, as its team_usage", async () => {
    const spent = (input: number, cost: number) => ({ ...emptyUsage(), input_tokens: input, cost_usd: cost });
    await tasks.insert(task({ id: "root", usage: spent(100, 0.21) }));
    await tasks.insert(task({ id: "a", parent_id: "root", usage: spent(20, 0.1) }));
    await tasks.insert(task({ id: "a1", parent_id: "a", usage: spent(3, 0.11) }));
    await tasks.insert(task({ id: "other", usage: spent(7, 0.01) }));
    const team = { ...emptyUsage(), input_tokens: 123, cost_usd: expect.closeTo(0.42, 10) };
    expect((await tasks.get("root")).team_usage).toEqual(team);
    const listed = (await tasks.list()).tasks;
    expect(listed.find((one) => one.id === "root")?.team_usage).toEqual(team);
    expect(listed.find((one) => one.id === "other")?.team_usage).toEqual(spent(7, 0.01));
    expect((await tasks.get("a")).team_usage).toBeUndefined();
  });

  it("counts a top-level task's parts at any depth as its part_count", async () => {
    await tasks.insert(task({ id: "root" }));
    await tasks.insert(task({ id: "a", parent_id: "root" }));
    await tasks.insert(task({ id: "b", parent_id: "root" }));
    await tasks.insert(task({ id: "a1", parent_id: "a" }));
    await tasks.insert(task({ id: "alone" }));

    const listed = (await tasks.list({ parent_id: null })).tasks;

    expect(listed.map((one) => [one.id, one.part_count])).toEqual([
      ["alone", 0],
      ["root", 3],
    ]);
    expect((await tasks.get("root")).part_count).toBe(3);
    expect((await tasks.get("a")).part_count).toBeUndefined();
  });

  it("answers task_not_found, naming the id, for a task it does not have", async () => {
    await expect(tasks.get("task_missing")).rejects.toMatchObject({
      code: "task_not_found",
      message: expect.stringContaining('"task_missing"'),
    });
  });

  it("changes a task only from the statuses it is told (compare and set)", async () => {
    await tasks.insert(task({ id: "t1" }));
    const started = await tasks.transition(
      "t1",
      ["queued"],
      { status: "running" },
      { owner: "a", countAttempt: true },
    );
    expect(started?.status).toBe("running");
    expect(await tasks.transition("t1", ["queued"], { status: "running" }, { owner: "b" })).toBeUndefined();
    expect(await tasks.runState("t1")).toMatchObject({ owner: "a", attempts: 1, cancelRequested: false });
  });

  it("pages newest first with a cursor, filtering in the database", async () => {
    for (let n = 1; n <= 5; n++)
      await tasks.insert(task({ id: `top${n}`, status: n % 2 ? "completed" : "queued" }));
    await tasks.insert(task({ id: "part1", parent_id: "top1" }));
    const first = await tasks.list({ parent_id: null, limit: 2 });
    expect(first.tasks.map((t) => t.id)).toEqual(["top5", "top4"]);
    const second = await tasks.list({ parent_id: null, limit: 2, cursor: first.next_cursor! });
    expect(second.tasks.map((t) => t.id)).toEqual(["top3", "top2"]);
    const last = await tasks.list({ parent_id: null, limit: 2, cursor: second.next_cursor! });
    expect(last).toEqual({ tasks: [expect.objectContaining({ id: "top1" })], next_cursor: null });

    expect((await tasks.list({ status: "queued" })).tasks.map((t) => t.id)).toEqual([
      "part1",
      "top4",
      "top2",
    ]);
    expect((await tasks.list({ status: "queued", parent_id: null })).tasks.map((t) => t.id)).toEqual([
      "top4",
      "top2",
    ]);
    expect((await tasks.list({ parent_id: "top1" })).tasks.map((t) => t.id)).toEqual(["part1"]);
  });

  it("filters by project and by creation time", async () => {
    await tasks.insert(task({ id: "old", project: "/a" }));
    const cutoff = new Date(clock + 500).toISOString();
    await tasks.insert(task({ id: "new-a", project: "/a" }));
    await tasks.insert(task({ id: "new-b", project: "/b" }));
    expect((await tasks.list({ project: "/a" })).tasks.map((t) => t.id)).toEqual(["new-a", "old"]);
    expect((await tasks.list({ since: cutoff })).tasks.map((t) => t.id)).toEqual(["new-b", "new-a"]);
  });

  it("refuses a cursor that is not one", async () => {
    await expect(tasks.list({ cursor: "abc" })).rejects.toMatchObject({ code: "bad_request" });
  });

  it("finds parts by parent, and the whole tree below a task in one query", async () => {
    await tasks.insert(task({ id: "root" }));
    await tasks.insert(task({ id: "a", parent_id: "root" }));
    await tasks.insert(task({ id: "b", parent_id: "root" }));
    await tasks.insert(task({ id: "a1", parent_id: "a" }));
    expect((await tasks.children("root")).map((t) => t.id)).toEqual(["a", "b"]);
    expect((await tasks.descendants("root")).map((t) => t.id).sort()).toEqual(["a", "a1", "b"]);
  });

  it("counts by status", async () => {
    await tasks.insert(task({ id: "q1" }));
    await tasks.insert(task({ id: "q2" }));
    await tasks.insert(task({ id: "c1", status: "completed" }));
    expect(await tasks.countByStatus()).toEqual({ queued: 2, completed: 1 });
  });

  it("records a cancel request only for a task that has not ended", async () => {
    await tasks.insert(task({ id: "live" }));
    await tasks.insert(task({ id: "done", status: "completed" }));
    expect(await tasks.requestCancel("live")).toBe(true);
    expect(await tasks.requestCancel("done")).toBe(false);
    expect(await tasks.cancelRequested(["live", "done", "other"])).toEqual(["live"]);
  });

  it("lists unfinished tasks and parts oldest first, with their owners and the parts' briefs", async () => {
    await tasks.insert(task({ id: "queued" }));
    await tasks.insert(task({ id: "running" }));
    await tasks.transition("running", null, { status: "running" }, { owner: "dead" });
    const brief = { role: "backend", context: "files: a.ts", timeoutMs: 60_000 };
    await tasks.insert(task({ id: "part", parent_id: "running" }), brief);
    await tasks.transition("part", null, { status: "running" }, { owner: "dead" });
    await tasks.insert(task({ id: "ended", status: "completed" }));
    expect((await tasks.unfinished()).map((state) => [state.task.id, state.owner, state.brief])).toEqual([
      ["queued", null, null],
      ["running", "dead", null],
      ["part", "dead", brief],
    ]);
    expect((await tasks.runState("part"))?.task.parent_id).toBe("running");
  });

  it("keeps the agent a task is pinned to (a message to that agent), and its daemon, in its brief", async () => {
    const brief = { role: "backend", context: null, timeoutMs: null, agentId: "backend_1", daemon: "host-a" };
    await tasks.insert(task({ id: "message" }), brief);
    expect((await tasks.runState("message"))?.brief).toEqual(brief);
  });

  it("deletes tasks that ended before the retention cutoff, with their parts", async () => {
    await tasks.insert(task({ id: "old", status: "completed", finished_at: "2026-01-01T00:00:00.000Z" }));
    await tasks.insert(
      task({
        id: "old-part",
        parent_id: "old",
        status: "completed",
        finished_at: "2026-01-01T00:00:00.000Z",
      }),
    );
    await tasks.insert(task({ id: "recent", status: "completed", finished_at: "2026-11-30T00:00:00.000Z" }));
    await tasks.insert(task({ id: "open" }));
    expect(await tasks.deleteEndedBefore(new Date("2026-06-01T00:00:00.000Z"))).toBe(1);
    expect((await tasks.list()).tasks.map((t) => t.id).sort()).toEqual(["open", "recent"]);
  });

  it("refuses a row that does not parse instead of passing it on", async () => {
    await tasks.insert(task({ id: "bad" }));
    await sql`update tasks set status = 'exploded' where id = 'bad'`.execute(database.db);
    await expect(tasks.get("bad")).rejects.toThrow(/A tasks row in the database does not parse/);
  });
});
