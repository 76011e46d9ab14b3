import { HealthSchema, MemoryItemSchema, MemorySearchResponseSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./support.js";

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
