import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { type RoutingDecisionRecord, RoutingExperienceRepository } from "./routing-experience-repository.js";

const decision = (
  taskId: string,
  role: string,
  source: RoutingDecisionRecord["source"] = "heuristic",
): RoutingDecisionRecord => ({
  policy: "task",
  task_id: taskId,
  project: null,
  state: {
    cluster: 1,
    clusters: 8,
    size: 40,
    keywords: [true, false],
    load: { backend: 0.5 },
    successRate: {},
    spend: 0,
  },
  features: [1, 0, 1],
  role,
  tier: "standard",
  heuristic_role: "coordinator",
  heuristic_tier: "standard",
  source,
  explanation: `routed to ${role}`,
});

describe.each(ENGINES)("RoutingExperienceRepository on %s", (engine) => {
  let database: Database;
  let now = Date.parse("2026-12-06T10:00:00.000Z");
  let experiences: RoutingExperienceRepository;

  beforeAll(async () => {
    database = await freshDatabase(engine);
    experiences = new RoutingExperienceRepository(database, { now: () => now });
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from rl_experiences`.execute(database.db);
    await sql`delete from rl_checkpoints`.execute(database.db);
  });

  it("records a decision, settles it once with its outcome, and reads it back parsed", async () => {
    await experiences.record(decision("task_a", "backend", "override"));
    now += 1000;
    const settled = await experiences.settle("task_a", {
      status: "completed",
      success: true,
      tokens: 1200,
      seconds: 3.5,
      reward: 0.9,
    });
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({
      task_id: "task_a",
      role: "backend",
      source: "override",
      success: true,
      tokens: 1200,
      reward: 0.9,
    });
    expect(settled[0]!.state.keywords).toEqual([true, false]);
    expect(
      await experiences.settle("task_a", {
        status: "failed",
        success: false,
        tokens: 1,
        seconds: 1,
        reward: 0,
      }),
    ).toEqual([]);
  });

  it("pages settled experiences after a cursor, in the order they settled", async () => {
    for (const id of ["t1", "t2", "t3"]) {
      await experiences.record(decision(id, "backend"));
    }
    for (const id of ["t2", "t1", "t3"]) {
      now += 1000;
      await experiences.settle(id, { status: "completed", success: true, tokens: 10, seconds: 1, reward: 1 });
    }
    const all = await experiences.settledAfter("task", null);
    expect(all.map((one) => one.task_id)).toEqual(["t2", "t1", "t3"]);
    const rest = await experiences.settledAfter("task", { settledAt: all[0]!.settled_at!, id: all[0]!.id });
    expect(rest.map((one) => one.task_id)).toEqual(["t1", "t3"]);
    expect(await experiences.settledAfter("part", null)).toEqual([]);
  });

  it("counts decisions and outcomes by source, and each role's recent success", async () => {
    await experiences.record(decision("a", "backend", "learned"));
    await experiences.record(decision("b", "coordinator"));
    await experiences.record(decision("c", "coordinator"));
    await experiences.settle("a", {
      status: "completed",
      success: true,
      tokens: 100,
      seconds: 1,
      reward: 0.8,
    });
    await experiences.settle("b", {
      status: "failed",
      success: false,
      tokens: 300,
      seconds: 2,
      reward: -0.2,
    });
    const stats = await experiences.stats("task");
    expect(stats).toEqual([
      { source: "heuristic", decisions: 2, settled: 1, success_rate: 0, mean_tokens: 300, mean_reward: -0.2 },
      { source: "learned", decisions: 1, settled: 1, success_rate: 1, mean_tokens: 100, mean_reward: 0.8 },
    ]);
    expect(await experiences.recentSuccess("task")).toEqual({ backend: 1, coordinator: 0 });
  });

  it("saves a policy's checkpoint over the last one and loads it with its cursor", async () => {
    expect(await experiences.loadCheckpoint("task")).toBeNull();
    await experiences.saveCheckpoint({
      policy: "task",
      algorithm: "linear-bandit",
      checkpoint: { a: 1 },
      experiences: 3,
      cursor: null,
    });
    await experiences.saveCheckpoint({
      policy: "task",
      algorithm: "linear-bandit",
      checkpoint: { a: 2 },
      experiences: 5,
      cursor: { settledAt: "2026-12-06T10:00:05.000Z", id: "route_x" },
    });
    expect(await experiences.loadCheckpoint("task")).toMatchObject({
      checkpoint: { a: 2 },
      experiences: 5,
      cursor: { settledAt: "2026-12-06T10:00:05.000Z", id: "route_x" },
    });
  });
});
