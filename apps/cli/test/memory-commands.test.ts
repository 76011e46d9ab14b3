import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createDaemonClient,
  MemoryItemSchema,
  MemorySearchResponseSchema,
  TaskFeedbackResultSchema,
} from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./fixtures/test-daemon.ts";

let test: TestDaemon;

beforeEach(async () => {
  test = await startTestDaemon("memory");
});

afterEach(() => test.close());

const cca = (args: string[]) => test.cca(args);

const MIGRATE = [
  "memory",
  "add",
  "--title",
  "Migrate before testing",
  "--content",
  "Run pnpm migrate first: the test suite needs the database schema",
  "--kind",
  "guardrail",
];

describe("cca memory", () => {
  it("stores a lesson, finds it for a task that fits, shows it, and forgets it", async () => {
    const added = await cca([...MIGRATE, "--json"]);
    expect(added.stderr).toBe("");
    const item = MemoryItemSchema.parse(JSON.parse(added.stdout));
    expect(item).toMatchObject({ kind: "guardrail", embedding_model: "local-hash-ngrams", project: null });

    const search = await cca(["memory", "search", "the", "tests", "fail:", "no", "database", "schema"]);
    expect(search.code).toBe(0);
    const [header, row, , footer] = search.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+KIND\s+SCORE\s+SIMILARITY\s+USES\s+SUCCESS\s+TITLE$/);
    expect(row).toMatch(
      new RegExp(`^${item.id}\\s+guardrail\\s+[\\d.]+\\s+0\\.\\d\\d\\s+0\\s+-\\s+Migrate before testing$`),
    );
    expect(footer).toBe("embeddings: local-hash-ngrams; cca memory show <id> prints one");

    const unrelated = await cca(["memory", "search", "purple bakery logo", "--json"]);
    expect(MemorySearchResponseSchema.parse(JSON.parse(unrelated.stdout)).hits).toEqual([]);
    expect((await cca(["memory", "search", "purple bakery logo"])).stdout).toContain("No memory item fits");

    const shown = await cca(["memory", "show", item.id]);
    expect(shown.stdout).toContain("Run pnpm migrate first");
    expect(shown.stdout).toContain("embedding: local-hash-ngrams, 256 dimensions");
    expect(shown.stdout).toContain("from tasks: (stored by hand)");

    expect((await cca(["memory", "forget", item.id])).stdout).toBe(`Forgot ${item.id}.\n`);
    const gone = await cca(["memory", "show", item.id]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain(`No memory item ${item.id}`);
  });

  it("says what is wrong with an empty query or a huge item, and stores nothing", async () => {
    const empty = await cca(["memory", "search", " "]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain("needs a query");
    const huge = await cca(["memory", "add", "--title", "Huge", "--content", "x".repeat(9_000)]);
    expect(huge.code).not.toBe(0);
    expect(huge.stderr).toContain("content");
    expect(huge.stderr).toContain("8000");
    const all = MemorySearchResponseSchema.parse(
      JSON.parse((await cca(["memory", "search", "huge", "--json"])).stdout),
    );
    expect(all.hits).toEqual([]);
  });
});

describe("cca memory stats, export and import", () => {
  it("shows the bank's size and record, and moves items out and back in, refusing a malformed file whole", async () => {
    await cca(MIGRATE);
    const stats = await cca(["memory", "stats"]);
    expect(stats.stdout.split("\n").slice(0, 2)).toEqual([
      "1 item (1 guardrail); embeddings: local-hash-ngrams",
      "tasks with hints: no ended tasks; without: no ended tasks",
    ]);
    expect(stats.stdout).toMatch(/guardrail\s+0\s+-\s+0\.50\s+Migrate before testing/);

    const exported = await cca(["memory", "export"]);
    expect(JSON.parse(exported.stdout.trim())).toMatchObject({
      title: "Migrate before testing",
      kind: "guardrail",
    });
    const file = join(test.home, "lessons.jsonl");
    writeFileSync(file, `${exported.stdout}{"title": "half"}\n`);
    const refused = await cca(["memory", "import", file]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Nothing imported: 1 malformed line (line 2: content:");
    writeFileSync(file, exported.stdout.replace("Migrate before testing", "Migrate before every test run"));
    const imported = await cca(["memory", "import", file]);
    expect(imported.stdout).toBe("Imported 1 item (near-duplicates merged into the items they repeat).\n");
    // Every item is of this daemon's provider already.
    expect((await cca(["memory", "reembed"])).stdout).toBe("Re-embedded 0 items with local-hash-ngrams.\n");
  });
});

describe("cca task feedback", () => {
  it("records how an ended task went, and stores its note as a guardrail", async () => {
    const client = createDaemonClient({ baseUrl: test.daemon.url, token: test.daemon.token });
    // No claude here: the task ends failed at once.
    const { task } = await client.createTaskAndWait({ description: "Add the orders table" });
    expect(task.status).toBe("failed");
    const given = await cca([
      "task",
      "feedback",
      task.id,
      "--failure",
      "-m",
      "Forgot the migration for orders",
    ]);
    expect(given.stderr).toBe("");
    expect(given.stdout).toMatch(
      new RegExp(
        `^Recorded ${task.id} as a failure: it was given no memory items; stored guardrail mem_\\w+\\.\n$`,
      ),
    );
    const json = TaskFeedbackResultSchema.parse(
      JSON.parse((await cca(["task", "feedback", task.id, "--success", "--json"])).stdout),
    );
    expect(json).toEqual({ task_id: task.id, success: true, items_updated: [], stored: null });
    const search = MemorySearchResponseSchema.parse(
      JSON.parse((await cca(["memory", "search", "orders migration", "--json"])).stdout),
    );
    expect(search.hits.map((hit) => hit.item.title)).toEqual(["Forgot the migration for orders"]);
  });

  it("asks for --success or --failure, and only one", async () => {
    const neither = await cca(["task", "feedback", "task_1"]);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain("--success or --failure");
    const both = await cca(["task", "feedback", "task_1", "--success", "--failure"]);
    expect(both.stderr).toContain("not both");
  });
});
