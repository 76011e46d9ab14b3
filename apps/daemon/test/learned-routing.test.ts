import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const LEARNING = { learning: { min_support: 3, min_confidence: 0.8 } };

/** Runs tasks to their end; the router records each decision and settles it with the outcome. */
async function runTasks(daemon: TestDaemon, descriptions: string[], role?: string) {
  for (const description of descriptions) {
    const task = await daemon.client.createTask({ description, ...(role ? { role } : {}) });
    expect((await daemon.client.waitForTask(task.id, 10)).status).toBe("completed");
  }
}

const apiTasks = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `fix the api handler for orders ${from + i}`);

describe("learned routing in the daemon", () => {
  it("records every decision with who made it and settles it with the task's outcome", async () => {
    t = await startTestDaemon({ config: LEARNING });
    await runTasks(t, ["say hello"]);
    await runTasks(t, ["fix the api"], "backend");
    const { items } = await t.client.rlExperiences();
    expect(items.map((item) => [item.policy, item.role, item.source, item.status, item.success])).toEqual([
      ["task", "coordinator", "heuristic", "completed", true],
      ["task", "backend", "override", "completed", true],
    ]);
    expect(items[0]!.tokens).toBe(15);
    expect(items[0]!.reward).toBeGreaterThan(0.99);
    expect(items[1]!.state.keywords[0]).toBe(true);
    const status = await t.client.rlStatus();
    expect(status.mode).toBe("on");
    expect(status.policies.find((policy) => policy.policy === "task")!.trained_on).toBe(2);
    const activity = await t.client.activity();
    expect(
      activity.recent.filter((event) => event.kind === "routing.decided").map((event) => event.summary),
    ).toEqual([
      "routed to coordinator/standard q=0.00 (n=0) (heuristic; learned agrees)",
      "routed to backend (named by the person)",
    ]);
  });

  it("sends a task straight to the role that did such tasks better, once the gates pass, and explains it", async () => {
    t = await startTestDaemon({ config: LEARNING });
    await runTasks(t, apiTasks(0, 5), "backend");
    await runTasks(t, apiTasks(10, 5));
    // The fake Claude Code spends the same 15 tokens in every role; make the Coordinator's runs cost
    // what a team's do, so the data say a backend agent alone does these tasks for less.
    await sql`update rl_experiences set reward = 0.3 where role = 'coordinator'`.execute(t.database.db);
    await t.client.rlTrain();

    const preview = await t.client.rlPolicy({ description: "fix the api handler for orders 99" });
    expect(preview).toMatchObject({ role: "backend", source: "learned", heuristic: { role: "coordinator" } });
    expect(preview.explanation).toMatch(
      /^routed to backend\/standard q=0\.9\d \(n=\d+\) vs coordinator\/standard q=0\.3\d \(n=\d+\), confidence 0\.9\d$/,
    );

    const task = await t.client.createTask({ description: "fix the api handler for orders 99" });
    const ended = await t.client.waitForTask(task.id, 10);
    expect(ended.status).toBe("completed");
    const agent = (await t.client.listAgents()).find((candidate) => candidate.id === ended.agent_id);
    expect(agent?.role).toBe("backend");
    const decision = (await t.client.rlExperiences()).items.find((item) => item.task_id === task.id);
    expect(decision).toMatchObject({
      role: "backend",
      source: "learned",
      heuristic_role: "coordinator",
      success: true,
    });
    const unrelated = await t.client.rlPolicy({ description: "write the quarterly newsletter" });
    expect(unrelated.role).toBe("coordinator");
  });

  it("keeps the heuristic in shadow mode, saying what the learned policy would have done", async () => {
    t = await startTestDaemon({ config: { learning: { ...LEARNING.learning, shadow: true } } });
    await runTasks(t, apiTasks(0, 4), "backend");
    await runTasks(t, apiTasks(10, 4));
    await sql`update rl_experiences set reward = 0.3 where role = 'coordinator'`.execute(t.database.db);
    await t.client.rlTrain();
    const preview = await t.client.rlPolicy({ description: "fix the api handler for orders 42" });
    expect(preview.role).toBe("coordinator");
    expect(preview.explanation).toContain("shadow: the learned policy would have routed to backend/standard");
    expect((await t.client.rlStatus()).mode).toBe("shadow");
  });

  it("restores its models from the checkpoint after a restart", async () => {
    t = await startTestDaemon({ config: LEARNING });
    await runTasks(t, apiTasks(0, 4), "backend");
    await runTasks(t, apiTasks(10, 4));
    await sql`update rl_experiences set reward = 0.3 where role = 'coordinator'`.execute(t.database.db);
    await t.client.rlTrain();
    const before = await t.client.rlPolicy({ description: "fix the api handler for orders 7" });
    const { database, home } = t;
    await t.daemon.close();
    t = await startTestDaemon({ config: LEARNING, database, home });
    const after = await t.client.rlPolicy({ description: "fix the api handler for orders 7" });
    expect(after.estimates).toEqual(before.estimates);
    expect(
      (await t.client.rlStatus()).policies.find((policy) => policy.policy === "task")!.checkpoint_at,
    ).not.toBeNull();
    await t.close();
    await database.close();
    t = undefined;
  });

  it("routes by the heuristic and records nothing when learning is off", async () => {
    t = await startTestDaemon({ config: { learning: { enabled: false } } });
    await runTasks(t, ["say hello"]);
    expect((await t.client.rlExperiences()).items).toEqual([]);
    expect(await t.client.rlStatus()).toMatchObject({ mode: "off", policies: [] });
    expect((await t.client.rlPolicy({ description: "anything" })).explanation).toContain("learning is off");
  });

  it("says what is wrong with a preview query", async () => {
    t = await startTestDaemon();
    const response = await t.call("/api/v1/rl/policy?policy=team");
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("description is required; policy is task or part");
  });
});
