import { newTask } from "@cca/core";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { TaskRepository } from "../tasks/task-repository.js";
import { ContextReadRepository } from "./context-read-repository.js";

const task = (id: string, parent: string | null) =>
  newTask({ id, description: id, created_at: "2026-12-04T10:00:00.000Z", parent_id: parent });

describe.each(ENGINES)("ContextReadRepository on %s", (engine) => {
  let database: Database;
  let now = Date.parse("2026-12-04T10:00:00.000Z");
  let reads: ContextReadRepository;

  beforeAll(async () => {
    database = await freshDatabase(engine);
    reads = new ContextReadRepository(database, { now: () => now });
    const tasks = new TaskRepository(database);
    for (const [id, parent] of [
      ["root", null],
      ["part", "root"],
      ["deeper", "part"],
      ["other", null],
    ] as const)
      await tasks.insert(task(id, parent));
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from context_reads`.execute(database.db);
  });

  it("gives the reads of a task and of all its parts, oldest first, and no other task's", async () => {
    const read = (taskId: string, path: string) =>
      reads.record({ taskId, agentId: `${taskId}_agent`, role: "backend", path, chars: 400 });
    await read("root", "README.md");
    now += 1;
    await read("deeper", "src/a.ts");
    now += 1;
    await read("other", "src/a.ts");
    now += 1;
    await read("part", "src/a.ts");
    expect((await reads.ofTree("root")).map((one) => [one.taskId, one.path])).toEqual([
      ["root", "README.md"],
      ["deeper", "src/a.ts"],
      ["part", "src/a.ts"],
    ]);
    expect(await reads.deleteBefore(new Date(now))).toBe(3);
    expect((await reads.ofTree("root")).map((one) => one.taskId)).toEqual(["part"]);
  });
});
