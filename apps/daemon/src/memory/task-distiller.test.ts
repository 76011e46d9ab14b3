import { emptyUsage, newTask, noopLogger, type TaskTree, type TokenUsage } from "@cca/core";
import { type Database, HashedNgramEmbedder, migrate, openDatabase, ReasoningBank } from "@cca/memory";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TurnOutcome } from "../agents/agent-driver.js";
import { TaskDistiller, type TaskDistillerOptions } from "./task-distiller.js";

const PROJECT = "/work/shop";
const LESSON = {
  title: "Write the migration with every column change",
  description: "Changing a table's columns",
  content: "A column added without its migration breaks every fresh database; add both in one change.",
};

const tree = (fields: Partial<TaskTree> = {}): TaskTree => ({
  ...newTask({
    id: "task_1",
    description: "Add a created_at column to the orders table",
    created_at: "2026-12-01T00:00:00.000Z",
    project: PROJECT,
  }),
  status: "completed",
  result: "Added the column and its migration.",
  subtasks: [],
  total_usage: emptyUsage(),
  ...fields,
});

const turn = (structuredOutput: unknown, fields: Partial<TurnOutcome> = {}): TurnOutcome => ({
  subtype: "success",
  isError: false,
  text: "",
  sessionId: null,
  numTurns: 1,
  durationMs: 100,
  usage: { ...emptyUsage(), input_tokens: 700, output_tokens: 90 },
  totalCostUsd: 0.0012,
  apiErrorStatus: null,
  permissionDenials: [],
  structuredOutput,
  ...fields,
});

describe("the distiller", () => {
  let database: Database;
  let bank: ReasoningBank;
  let charged: { taskId: string; usage: TokenUsage }[];
  let activity: string[];
  let warnings: string[];

  const distiller = (
    answer: (prompt: string, signal: AbortSignal) => Promise<TurnOutcome>,
    options: Partial<TaskDistillerOptions> & { tasks?: TaskTree[] } = {},
  ) =>
    new TaskDistiller({
      bank,
      tree: async (id) => (options.tasks ?? [tree()]).find((task) => task.id === id)!,
      charge: async (taskId, usage) => {
        charged.push({ taskId, usage });
      },
      runTurn: (prompt, _schema, signal) => answer(prompt, signal),
      judge: false,
      activity: {
        record: (_kind, fields) => {
          activity.push(fields.summary);
          return undefined as never;
        },
      },
      logger: { ...noopLogger, warn: (message) => warnings.push(message) },
      ...options,
    });

  beforeAll(async () => {
    database = await openDatabase();
    await migrate(database);
    bank = new ReasoningBank({ database, embeddings: new HashedNgramEmbedder() });
    await bank.prepare();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from pattern_injections; delete from patterns`.execute(database.db);
    charged = [];
    activity = [];
    warnings = [];
  });

  it("stores strategies from a completed task, for its project and with its provenance, and charges the task", async () => {
    const outcome = await distiller(async () => turn({ items: [LESSON] })).distil("task_1");
    const item = await bank.get(outcome!.stored[0]!);
    expect(item).toMatchObject({
      ...LESSON,
      kind: "strategy",
      project: PROJECT,
      source_task_ids: ["task_1"],
    });
    expect(charged).toEqual([
      {
        taskId: "task_1",
        usage: { ...emptyUsage(), input_tokens: 700, output_tokens: 90, cost_usd: 0.0012 },
      },
    ]);
    expect(activity).toEqual(["distilled 1 strategy; 790 tokens"]);
  });

  it("stores guardrails from a failed task, and merges a lesson it already has", async () => {
    const failed = tree({ id: "task_2", status: "failed", error: { code: "turn_failed", message: "broke" } });
    const first = await distiller(async () => turn({ items: [LESSON] }), { tasks: [failed] }).distil(
      "task_2",
    );
    const again = tree({
      id: "task_3",
      status: "failed",
      error: { code: "turn_failed", message: "broke again" },
    });
    const second = await distiller(async () => turn({ items: [LESSON] }), { tasks: [again] }).distil(
      "task_3",
    );
    expect(second!.stored).toEqual(first!.stored);
    expect(second!.merged).toEqual(first!.stored);
    expect(await bank.get(first!.stored[0]!)).toMatchObject({
      kind: "guardrail",
      source_task_ids: ["task_2", "task_3"],
    });
    expect(activity[1]).toBe("distilled 1 guardrail (1 merged into earlier items); 790 tokens");
  });

  it("with the LLM judge, counts its verdict on a completed task and writes guardrails from a failure it finds", async () => {
    const hint = await bank.add({ ...LESSON, title: "Add columns nullable first", project_dir: PROJECT });
    await bank.recordInjections(
      "task_1",
      await bank.search("add a column to the orders table", { project: PROJECT }),
    );
    await bank.recordOutcome(["task_1"], true, "status");
    const verdict = { success: false, reason: "the column has no migration" };
    const judged = distiller(async () => turn({ verdict, items: [LESSON] }), { judge: true });
    const outcome = await judged.distil("task_1");
    expect(outcome!.verdict).toEqual(verdict);
    expect(await bank.get(hint.id)).toMatchObject({ successes: 0, failures: 1 });
    expect(await bank.get(outcome!.stored[0]!)).toMatchObject({ kind: "guardrail" });
    expect(activity).toEqual([
      "distilled 1 guardrail; judged a failure: the column has no migration; 790 tokens",
    ]);

    // A person's feedback outweighs the judge, whenever the judge speaks.
    await bank.recordOutcome(["task_1"], true, "feedback");
    await judged.distil("task_1");
    expect(await bank.get(hint.id)).toMatchObject({ successes: 1, failures: 0 });
  });

  it("charges a turn that failed, stores nothing from it, and goes on with the next task", async () => {
    const tasks = [tree(), tree({ id: "task_2" })];
    const answers = [
      turn(null, { isError: true, text: "API Error: 529 overloaded" }),
      turn({ items: [LESSON] }),
    ];
    const queue = distiller(async () => answers.shift()!, { tasks });
    queue.enqueue("task_1");
    queue.enqueue("task_2");
    await queue.idle();
    expect(charged.map((charge) => charge.taskId)).toEqual(["task_1", "task_2"]);
    expect(warnings).toEqual(["could not distil a task into the memory"]);
    expect(activity).toEqual([
      "could not distil the task: the distiller's turn failed: API Error: 529 overloaded",
      "distilled 1 strategy; 790 tokens",
    ]);
  });

  it("distils nothing from a task that did not complete or fail", async () => {
    const cancelled = distiller(
      async () => {
        throw new Error("must not run");
      },
      { tasks: [tree({ status: "cancelled" })] },
    );
    expect(await cancelled.distil("task_1")).toBeNull();
  });

  it("stops its running turn on close and forgets the tasks that wait", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const seen: string[] = [];
    const queue = distiller(
      (prompt, signal) =>
        new Promise((_resolve, reject) => {
          seen.push(prompt);
          started();
          signal.addEventListener("abort", () => reject(new Error("stopped")));
        }),
      { tasks: [tree(), tree({ id: "task_2" })] },
    );
    queue.enqueue("task_1");
    queue.enqueue("task_2");
    await running;
    await queue.close();
    expect(seen).toHaveLength(1);
    expect(warnings).toEqual([]);
    queue.enqueue("task_2");
    await queue.idle();
    expect(seen).toHaveLength(1);
  });

  it("skips the oldest waiting task when too many wait", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tasks = ["task_1", "task_2", "task_3", "task_4"].map((id) => tree({ id }));
    const prompts: string[] = [];
    const queue = distiller(
      async (prompt) => {
        prompts.push(prompt);
        await gate;
        return turn({ items: [] });
      },
      { tasks, maxWaiting: 2 },
    );
    for (const task of tasks) queue.enqueue(task.id);
    release();
    await queue.idle();
    // task_1 was running; of task_2..4 only the 2 newest waited.
    expect(prompts).toHaveLength(3);
    expect(warnings).toEqual(["too many tasks wait for the distiller; the oldest goes undistilled"]);
    expect(activity).toEqual([
      "distilled nothing worth keeping; 790 tokens",
      "distilled nothing worth keeping; 790 tokens",
      "distilled nothing worth keeping; 790 tokens",
    ]);
  });
});
