import { emptyUsage, type TokenUsage } from "@cca/core";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { TokenUsageRepository, type TurnTokens } from "./token-usage-repository.js";

const DAY_ONE = Date.parse("2026-12-01T10:00:00.000Z");
const DAY_TWO = Date.parse("2026-12-02T09:00:00.000Z");

const spent = (fields: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...fields });
const turn = (fields: Partial<TurnTokens>): TurnTokens => ({
  kind: "turn",
  taskId: "task_1",
  rootTaskId: "task_1",
  agentId: "agent_1",
  role: "coordinator",
  project: "/work/shop",
  model: "claude-sonnet-4-5",
  usage: spent({ input_tokens: 100, output_tokens: 10 }),
  ...fields,
});

describe.each(ENGINES)("TokenUsageRepository on %s", (engine) => {
  let database: Database;
  let now = DAY_ONE;
  let tokens: TokenUsageRepository;

  beforeAll(async () => {
    database = await freshDatabase(engine);
    tokens = new TokenUsageRepository(database, { now: () => now });
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    now = DAY_ONE;
    await sql`delete from token_usage`.execute(database.db);
  });

  async function seed() {
    await tokens.record(
      turn({
        usage: spent({
          input_tokens: 100,
          output_tokens: 20,
          cache_creation_input_tokens: 300,
          cache_read_input_tokens: 600,
          cost_usd: 0.25,
        }),
        cacheWrites: { fiveMinute: 200, oneHour: 100 },
      }),
    );
    await tokens.record(
      turn({
        taskId: "task_2",
        agentId: "agent_2",
        role: "backend",
        usage: spent({ input_tokens: 2_000, output_tokens: 50, cost_usd: 0.5 }),
      }),
    );
    now = DAY_TWO;
    await tokens.record(
      turn({
        kind: "distill",
        agentId: null,
        role: "distiller",
        model: null,
        usage: spent({ input_tokens: 600, output_tokens: 40, cost_usd: 0.01 }),
      }),
    );
    await tokens.record(
      turn({ taskId: "task_9", rootTaskId: "task_9", project: null, usage: spent({ input_tokens: 5 }) }),
    );
  }

  it("adds up each role's turns, most tokens first, with the cache writes apart and the cache-read share", async () => {
    await seed();
    const report = await tokens.report({ by: "role", since: null, taskId: null });
    expect(report.rows.map((row) => [row.key, row.turns, row.input_tokens])).toEqual([
      ["backend", 1, 2_000],
      ["coordinator", 2, 105],
      ["distiller", 1, 600],
    ]);
    expect(report.rows[1]).toMatchObject({
      cache_creation_input_tokens: 300,
      cache_creation_5m_tokens: 200,
      cache_creation_1h_tokens: 100,
      cache_read_input_tokens: 600,
      cost_usd: 0.25,
    });
    // 600 read of 1,005 input in all (105 uncached, 300 written, 600 read).
    expect(report.rows[1]!.cache_read_share).toBeCloseTo(600 / 1_005, 6);
    expect(report.total).toMatchObject({ key: null, turns: 4, input_tokens: 2_705, output_tokens: 110 });
    expect(report.total.cost_usd).toBeCloseTo(0.76, 6);
  });

  it("groups by project, day and top-level task, and keeps to a time and a task", async () => {
    await seed();
    const keys = async (
      by: "project" | "day" | "task",
      since: Date | null = null,
      taskId: string | null = null,
    ) => (await tokens.report({ by, since, taskId })).rows.map((row) => [row.key, row.turns]);
    expect(await keys("project")).toEqual([
      ["/work/shop", 3],
      [null, 1],
    ]);
    expect(await keys("day")).toEqual([
      ["2026-12-01", 2],
      ["2026-12-02", 2],
    ]);
    expect(await keys("task")).toEqual([
      ["task_1", 3],
      ["task_9", 1],
    ]);
    expect(await keys("day", new Date(DAY_TWO - 1))).toEqual([["2026-12-02", 2]]);
    const oneTask = await tokens.report({ by: "role", since: null, taskId: "task_2" });
    expect(oneTask.rows.map((row) => row.key)).toEqual(["backend"]);
    expect((await tokens.report({ by: "role", since: null, taskId: "task_1" })).total.turns).toBe(3);
  });

  it("reports nothing as zeros, and forgets turns past retention", async () => {
    const empty = await tokens.report({ by: "role", since: null, taskId: null });
    expect(empty.rows).toEqual([]);
    expect(empty.total).toMatchObject({ turns: 0, input_tokens: 0, cache_read_share: 0 });
    await seed();
    expect(await tokens.deleteBefore(new Date(DAY_TWO - 1))).toBe(2);
    expect((await tokens.report({ by: "role", since: null, taskId: null })).total.turns).toBe(2);
  });

  it("adds up what a task tree, the day, a project and a role spent, for budgets", async () => {
    await seed();
    const dayTwo = new Date("2026-12-02T00:00:00.000Z");
    const scope = { rootTaskId: "task_1", dayStart: dayTwo, project: "/work/shop", role: "coordinator" };
    expect(await tokens.spent(scope)).toEqual({
      // Every turn of task_1's tree, whatever the day: 1,020 + 2,050 + 640 tokens.
      task: { tokens: 3_710, usd: 0.76 },
      // Day two: the distiller's turn and task_9's.
      day: { tokens: 645, usd: 0.01 },
      project: { tokens: 640, usd: 0.01 },
      role: { tokens: 5, usd: 0 },
    });
    const none = await tokens.spent({ ...scope, rootTaskId: "task_0", project: null, role: "qa" });
    expect([none.task, none.project, none.role]).toEqual([
      { tokens: 0, usd: 0 },
      { tokens: 0, usd: 0 },
      { tokens: 0, usd: 0 },
    ]);
  });
});
