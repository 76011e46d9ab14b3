import {
  HealthSchema,
  MemoryItemSchema,
  MemorySearchResponseSchema,
  TaskFeedbackResultSchema,
} from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { busyCoordinator, startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

const post = (body: unknown) => t.call("/api/v1/memory", { method: "POST", body: JSON.stringify(body) });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("/api/v1/memory", () => {
  it("stores an item, searches with score and counters, reads and deletes it", async () => {
    const created = await post({
      title: "Deploy with the compose file",
      content: "Staging deploys use docker compose up -d from deploy/staging.",
      project_dir: "/work/shop",
    });
    expect(created.status).toBe(201);
    const item = MemoryItemSchema.parse(await created.json());
    expect(item).toMatchObject({ kind: "strategy", project: "/work/shop", uses: 0, confidence: 0.5 });

    const found = MemorySearchResponseSchema.parse(
      await (await t.call("/api/v1/memory?query=deploy%20to%20staging&project_dir=/work/shop")).json(),
    );
    expect(found.embedding_model).toBe("local-hash-ngrams");
    expect(found.hits.map((hit) => hit.item.id)).toEqual([item.id]);
    expect(found.hits[0]).toMatchObject({ score: expect.any(Number), item: { uses: 0, successes: 0 } });
    // Another project does not see it.
    const elsewhere = MemorySearchResponseSchema.parse(
      await (await t.call("/api/v1/memory?query=deploy%20to%20staging&project_dir=/work/blog")).json(),
    );
    expect(elsewhere.hits).toEqual([]);

    expect(MemoryItemSchema.parse(await (await t.call(`/api/v1/memory/${item.id}`)).json())).toEqual(item);
    const deleted = await t.call(`/api/v1/memory/${item.id}`, { method: "DELETE" });
    expect(await deleted.json()).toEqual({ id: item.id, deleted: true });
    const missing = await t.call(`/api/v1/memory/${item.id}`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).message).toContain(`No memory item ${item.id}`);
  });

  it("refuses bad input with 400s that say what is wrong", async () => {
    const cases: [Response, string][] = [
      [await post({ title: "No content" }), "content"],
      [await post({ title: "t", content: "c", kind: "rumour" }), "kind"],
      [await post({ title: "t", content: "x".repeat(8_001) }), "content"],
      [await t.call("/api/v1/memory?query="), "needs a query"],
      [await t.call("/api/v1/memory?query=deploy&limit=many"), "limit must be an integer"],
      [await t.call("/api/v1/memory?query=deploy&limit=500"), "integer from 1 to 50"],
    ];
    for (const [response, expected] of cases) {
      expect(response.status, expected).toBe(400);
      expect((await errorOf(response)).message).toContain(expected);
    }
    const all = MemorySearchResponseSchema.parse(
      await (await t.call("/api/v1/memory?query=content%20rumour%20no")).json(),
    );
    expect(all.hits).toEqual([]);
  });

  it("names its embedding provider in /health", async () => {
    const health = HealthSchema.parse(await (await fetch(`${t.daemon.url}/health`)).json());
    expect(health.memory).toEqual({ embedding_model: "local-hash-ngrams", dimension: 256 });
  });
});

describe("POST /api/v1/tasks/:id/feedback", () => {
  const feedback = (taskId: string, body: unknown) =>
    t.call(`/api/v1/tasks/${taskId}/feedback`, { method: "POST", body: JSON.stringify(body) });

  it("replaces the task's own outcome for the items it was given, and turns a failure note into a guardrail", async () => {
    const item = await t.client.addMemory({
      title: "Deploy with the compose file",
      content: "Staging deploys use docker compose up -d from deploy/staging.",
    });
    const { task } = await t.client.createTaskAndWait({ description: "Deploy the shop to staging" });
    expect(task.status).toBe("completed");
    // The task's end counted: it was given the item, and it completed.
    expect(await t.client.getMemory(item.id)).toMatchObject({ uses: 1, successes: 1, failures: 0 });

    const response = await feedback(task.id, {
      success: false,
      note: "Staging needs the VPN up first; the deploy hung on the registry",
    });
    expect(response.status).toBe(200);
    const result = TaskFeedbackResultSchema.parse(await response.json());
    expect(result).toMatchObject({ task_id: task.id, success: false, items_updated: [item.id] });
    expect(await t.client.getMemory(item.id)).toMatchObject({ uses: 1, successes: 0, failures: 1 });
    expect(result.stored).toMatchObject({
      kind: "guardrail",
      title: "Staging needs the VPN up first; the deploy hung on the registry",
      source_task_ids: [task.id],
      description: `Went wrong in task ${task.id}: Deploy the shop to staging`,
    });
    // A later, similar task finds the guardrail.
    const later = await t.client.searchMemory("deploy to staging again", { limit: 5 });
    expect(later.hits.map((hit) => hit.item.id)).toContain(result.stored!.id);
  });

  it("says what is wrong: an unknown task, one still running, a malformed body", async () => {
    const unknown = await feedback("task_nope", { success: true });
    expect(unknown.status).toBe(404);
    const { parent } = await busyCoordinator(t);
    const running = await feedback(parent.id, { success: true });
    expect(running.status).toBe(409);
    expect(await errorOf(running)).toMatchObject({
      code: "task_not_ended",
      message: expect.stringContaining("once it has ended"),
    });
    const malformed = await feedback(parent.id, { success: "yes" });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).message).toContain("success");
    const extra = await feedback(parent.id, { success: true, rating: 5 });
    expect(extra.status).toBe(400);
    await t.client.cancelTask(parent.id);
  });
});
