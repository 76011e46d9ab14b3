import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventMatching } from "./events.js";
import { startTestDaemon, type TestDaemon } from "./support.js";

const daemons: TestDaemon[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.close();
});

describe("agents over the HTTP API", () => {
  it("lists each live agent's resident memory, and null once it stopped", async () => {
    const t = await startTestDaemon();
    daemons.push(t);
    const agent = await t.client.spawnAgent("backend");
    const [listed] = await t.client.listAgents();
    expect(listed).toMatchObject({ id: agent.id, driver: "headless" });
    expect(listed?.rss_bytes).toBeGreaterThan(1024 * 1024);
    expect(await t.client.stopAgent(agent.id)).toMatchObject({ state: "stopped" });
    expect(await t.client.getAgent(agent.id)).toMatchObject({ state: "stopped", rss_bytes: null });
  });

  it("stops an agent idle for agents.idle_timeout_s, and the next task resumes its conversation", async () => {
    const argsFile = join(mkdtempSync(join(tmpdir(), "cca-idle-")), "args.json");
    const t = await startTestDaemon({
      config: { agents: { idle_timeout_s: 1 } },
      env: { ...process.env, FAKE_CLAUDE_ARGS_FILE: argsFile },
    });
    daemons.push(t);
    const first = (await t.client.createTaskAndWait({ description: "hello" })).task;
    expect(first).toMatchObject({ status: "completed", result: "echo: hello" });
    const coordinator = first.agent_id!;
    await eventMatching(t, (event) => event.kind === "agent.stopped" && event.agent_id === coordinator);
    expect(await t.client.getAgent(coordinator)).toMatchObject({ state: "stopped", tasks_completed: 1 });

    const second = (await t.client.createTaskAndWait({ description: "again" })).task;
    expect(second).toMatchObject({ status: "completed", agent_id: coordinator });
    const args = JSON.parse(readFileSync(argsFile, "utf8")) as string[];
    expect(args).toContain("--resume");
    expect(args[args.indexOf("--resume") + 1]).toBe(first.session_id);
  });
});
