import { emptyUsage, RedundancyReportSchema, TokenReportSchema, type TokenUsage } from "@cca/core";
import { ContextReadRepository, TaskRepository, TokenUsageRepository, type TurnTokens } from "@cca/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTask } from "./fixtures/fake-daemon-api.ts";
import { startTestDaemon, type TestDaemon } from "./fixtures/test-daemon.ts";

let test: TestDaemon;

beforeEach(async () => {
  test = await startTestDaemon("tokens");
});

afterEach(() => test.close());

const cca = (args: string[]) => test.cca(args);

const DAY_MS = 86_400_000;
const spent = (fields: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...fields });

/** Records a turn in the daemon's database, as it does when a turn ends, `daysAgo` days back. */
async function recordTurn(fields: Partial<TurnTokens>, daysAgo = 0): Promise<void> {
  const at = Date.now() - daysAgo * DAY_MS;
  await new TokenUsageRepository(test.database, { now: () => at }).record({
    kind: "turn",
    taskId: "task_shop",
    rootTaskId: "task_shop",
    agentId: "coordinator_1",
    role: "coordinator",
    project: "/work/shop",
    model: "claude-sonnet-4-5",
    usage: spent({ input_tokens: 100, output_tokens: 10 }),
    ...fields,
  });
}

async function seed(): Promise<void> {
  await recordTurn({
    usage: spent({
      input_tokens: 200,
      output_tokens: 40,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 600,
      cost_usd: 0.25,
    }),
  });
  await recordTurn({
    taskId: "task_shop_part",
    agentId: "backend_1",
    role: "backend",
    usage: spent({ input_tokens: 12_000, output_tokens: 1_500, cost_usd: 1.5 }),
  });
  await recordTurn({
    taskId: null,
    rootTaskId: null,
    project: null,
    role: "qa",
    usage: spent({ input_tokens: 5 }),
  });
  // Ten days ago: outside the default 24 hours.
  await recordTurn({ role: "frontend", usage: spent({ input_tokens: 50_000 }) }, 10);
}

describe("cca tokens report", () => {
  it("shows the last 24 hours by role, most tokens first, with the total", async () => {
    await seed();
    const result = await cca(["tokens", "report"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [title, header, ...rows] = result.stdout.trimEnd().split("\n");
    expect(title).toMatch(/^Tokens by role since \d{4}-\d\d-\d\d \d\d:\d\d UTC:$/);
    expect(header).toMatch(/^TURNS\s+INPUT\s+OUTPUT\s+CACHE WRITE\s+CACHE READ\s+READ SHARE\s+COST\s+ROLE$/);
    expect(rows.map((row) => row.split(/\s{2,}/))).toEqual([
      ["1", "12k", "1.5k", "0", "0", "0%", "$1.50", "backend"],
      // 600 cache reads of 1,000 input in all (200 uncached, 200 written, 600 read).
      ["1", "200", "40", "200", "600", "60%", "$0.2500", "coordinator"],
      ["1", "5", "0", "0", "0", "0%", "$0.0000", "qa"],
      ["3", "12.2k", "1.5k", "200", "600", "5%", "$1.75", "(total)"],
    ]);
  });

  it("prints the daemon's report as JSON", async () => {
    await seed();
    const result = await cca(["tokens", "report", "--since", "30d", "--json"]);
    expect(result.code).toBe(0);
    const report = TokenReportSchema.parse(JSON.parse(result.stdout));
    expect(report).toMatchObject({ by: "role", task_id: null });
    expect(report.rows.map((row) => [row.key, row.turns])).toEqual([
      ["frontend", 1],
      ["backend", 1],
      ["coordinator", 1],
      ["qa", 1],
    ]);
    expect(report.total).toMatchObject({
      key: null,
      turns: 4,
      input_tokens: 62_205,
      cache_read_input_tokens: 600,
    });
  });

  it("adds up by top-level task, a part counting towards its task and (none) for turns of no task", async () => {
    await seed();
    const result = await cca(["tokens", "report", "--by", "task"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[1]).toMatch(/\s+TASK$/);
    expect(lines.slice(2).map((row) => [row.split(/\s{2,}/)[0], row.split(/\s{2,}/).at(-1)])).toEqual([
      ["2", "task_shop"],
      ["1", "(none)"],
      ["3", "(total)"],
    ]);
  });

  it("reports all of one task's turns with --task, however old", async () => {
    await seed();
    const report = TokenReportSchema.parse(
      JSON.parse((await cca(["tokens", "report", "--task", "task_shop", "--json"])).stdout),
    );
    expect(report).toMatchObject({ task_id: "task_shop", since: null });
    expect(report.rows.map((row) => row.key)).toEqual(["frontend", "backend", "coordinator"]);
  });

  it("says so when no turn was recorded in the window", async () => {
    await recordTurn({}, 10);
    const result = await cca(["tokens", "report", "--since", "7d"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^No turns recorded since \d{4}-\d\d-\d\d \d\d:\d\d UTC\.\n$/);
  });

  it("passes on the daemon's complaint about a bad --since, exiting 1", async () => {
    const result = await cca(["tokens", "report", "--since", "yesterday"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'cca: since must be a time (2026-12-01 or 2026-12-01T09:00:00Z) or a span (30m, 24h, 7d), not "yesterday" (bad_request)\n',
    );
  });
});

describe("cca tokens redundancy", () => {
  const SPEC =
    `The signup API: ${"POST /signup takes an email and a password and answers 201. ".repeat(5)}`.trim();

  /** A task with two parts that were both given the spec, whose agents both read src/db.ts. */
  async function seedTree(): Promise<void> {
    const tasks = new TaskRepository(test.database);
    await tasks.insert(makeTask({ id: "task_tree" }));
    for (const [id, role] of [
      ["task_tree_b", "backend"],
      ["task_tree_q", "qa"],
    ] as const) {
      await tasks.insert(makeTask({ id, parent_id: "task_tree", description: `${role} part` }), {
        role,
        context: SPEC,
        timeoutMs: null,
      });
      await new ContextReadRepository(test.database).record({
        taskId: id,
        agentId: `${role}_1`,
        role,
        path: "src/db.ts",
        chars: 4_000,
      });
    }
  }

  it("names what two agents of a task were both sent, with estimated tokens and what to do", async () => {
    await seedTree();
    const result = await cca(["tokens", "redundancy", "task_tree"]);
    expect(result.code, result.stderr).toBe(0);
    const specTokens = Math.ceil(SPEC.length / 4);
    expect(result.stdout.split("\n")).toEqual([
      `Task task_tree: about ${(1_000 + specTokens).toLocaleString("en-US")} tokens went to agents more than once (estimated from characters, chars/4).`,
      "",
      "file  src/db.ts",
      "  to backend, qa; 1,000 tokens each, 1,000 more than once",
      "  2 agents (backend, qa) each read src/db.ts: have one read it and put what the others need in their briefs, or name the lines that matter.",
      "",
      `text  ${SPEC.slice(0, 80)}…`,
      `  to backend, qa; ${specTokens} tokens each, ${specTokens} more than once`,
      `  The same ${specTokens}-token text went into 2 delegations (backend, qa): write it once in a file of the project and name that file in each brief.`,
      "",
    ]);
    const json = RedundancyReportSchema.parse(
      JSON.parse((await cca(["tokens", "redundancy", "task_tree", "--json"])).stdout),
    );
    expect(json.tokens_saveable).toBe(1_000 + specTokens);
  });

  it("says so when nothing went twice, and names an unknown task", async () => {
    await new TaskRepository(test.database).insert(makeTask({ id: "task_alone" }));
    expect((await cca(["tokens", "redundancy", "task_alone"])).stdout).toBe(
      "Nothing was sent to more than one agent of task task_alone: no file read twice, no text pasted into two parts.\n",
    );
    expect((await cca(["tokens", "redundancy", "task_nope"])).code).toBe(5);
  });
});
