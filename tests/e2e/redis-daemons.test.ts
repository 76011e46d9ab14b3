import { createMockAnthropic, type MockAnthropic, replyText } from "@cca/mock-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CcadProcess, startCcad } from "../support/ccad-process.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let mock: MockAnthropic;
const daemons: CcadProcess[] = [];

beforeEach(async () => {
  mock = await createMockAnthropic();
});

afterEach(async () => {
  await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
  await mock.close();
});

describe("daemons sharing Redis", () => {
  it("publish their activity on the shared bus, so each one's stream shows the other's work", async () => {
    const env = { CCA__REDIS__URL: REDIS_URL };
    const [a, b] = await Promise.all([
      startCcad({ mockUrl: mock.url, env }),
      startCcad({ mockUrl: mock.url, env }),
    ]);
    daemons.push(a!, b!);
    expect((await a!.client.status()).bus).toBe("redis");
    mock.on({ when: (r) => r.lastUserText === "shared work", reply: replyText("done on A") });

    const controller = new AbortController();
    const seenOnB: Array<{ kind: string; task_id: string | null; agent_id: string | null }> = [];
    let onEvent = () => {};
    const watching = (async () => {
      for await (const event of b!.client.events(controller.signal)) {
        seenOnB.push(event);
        onEvent();
      }
    })().catch(() => {});
    const seen = (predicate: (event: (typeof seenOnB)[number]) => boolean) =>
      new Promise<void>((resolve) => {
        onEvent = () => seenOnB.some(predicate) && resolve();
        onEvent();
      });
    // B's own agent shows that B's stream is open before A starts the task.
    const probe = await b!.client.spawnAgent("qa");
    await seen((event) => event.agent_id === probe.id);
    const taskId = (await a!.client.createTask({ description: "shared work" })).id;
    await seen((event) => event.task_id === taskId && event.kind === "task.completed");
    controller.abort();
    await watching;
    const kinds = seenOnB.filter((event) => event.task_id === taskId).map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["task.queued", "task.started", "task.completed"]));
  });
  it("refuses to start with a Redis URL where nothing answers, saying what to check", async () => {
    const error = await startCcad({
      mockUrl: mock.url,
      env: { CCA__REDIS__URL: "redis://127.0.0.1:6390" },
    }).catch((e: unknown) => e as Error);
    expect(String(error)).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:6390/);
  });
});
