// The token A/B harness (`pnpm bench:ab`): scripted multi-agent tasks on real Claude Code
// against the mock, in three arms: (a) one plain Claude Code session per task, (b) CCA with
// [token_efficiency] enabled = false, (c) CCA with it on, and each saving alone.
// In each task the Coordinator must pass a planted fact to the backend and another to qa;
// each specialist answers with a receipt only when its fact reached it, and the task
// succeeds only when both receipts reach the Coordinator. Tokens are Claude Code's own
// counts of every process (the mock counts a request's bytes / 4 and plays the prompt cache),
// Coordinator, specialists and the ReasoningBank's distiller included, read from the
// daemon's token report. A long run (BENCH_AB_LONG_TASKS, 60) of one Coordinator measures
// compaction, which ten short tasks never reach.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage, type TokenUsage, totalTokens, withDeadline } from "@cca/core";
import {
  claudeTestEnv,
  createMockAnthropic,
  type MockAnthropic,
  type RecordedRequest,
  replyText,
  runClaude,
} from "@cca/mock-anthropic";
import { z } from "zod";
import { distillationsEnded } from "../support/activity.js";
import { startCcad } from "../support/ccad-process.js";
import { countOption } from "./options.js";
import { stopAndRemove } from "./storage-setups.js";

/** `n` scripted tasks, each with a fact for the backend and one for qa. */
const scriptedTasks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    description: `Task ${i + 1}: add the /orders-${i + 1} endpoint and its tests. Backend fact: the table is orders_${i + 1}_v${(i * 7) % 5}. QA fact: the fixture is fixture-${(i * 13) % 97}.json.`,
    backendFact: `the table is orders_${i + 1}_v${(i * 7) % 5}`,
    qaFact: `the fixture is fixture-${(i * 13) % 97}.json`,
  }));
const TASKS = scriptedTasks(countOption("BENCH_AB_TASKS", 10));
/** The long run that compaction is for: one Coordinator conversation over many tasks. */
const LONG_TASKS = scriptedTasks(countOption("BENCH_AB_LONG_TASKS", 60));
/** Compaction's threshold in the long run: the conversation's growth past the fixed prompt. */
const LONG_RUN_COMPACT_ABOVE = 5_000;

const DELEGATE = "mcp__cca__cca_delegate";
/** The longest the distiller may take over all of an arm's tasks. */
const DISTILL_DEADLINE_MS = 120_000;
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const qa = isRole("QA specialist");
const distiller = (r: RecordedRequest) => r.systemText.includes("You are the ReasoningBank distiller");
const receipt = (role: string, fact: string) => `RECEIPT ${role}: ${fact}`;
type ScriptedTask = ReturnType<typeof scriptedTasks>[number];
const taskIn = (tasks: readonly ScriptedTask[], text: string) =>
  tasks.find((task) => text.includes(task.description.slice(0, 40)));
/** Claude Code's own summary request, made by `/compact`. */
const isSummaryRequest = (r: RecordedRequest) => r.lastUserText.includes("CRITICAL: Respond with TEXT ONLY");

/** The mock as every model of the team: it passes facts on only as scripted, and checks them. */
async function teamMock(tasks: readonly ScriptedTask[]): Promise<MockAnthropic> {
  const mock = await createMockAnthropic();
  const taskOf = (text: string) => taskIn(tasks, text);
  mock.on({ when: distiller, reply: { toolUses: [{ name: "StructuredOutput", input: { items: [] } }] } });
  // A compaction's summary: which tasks are done, one line each.
  mock.on({
    when: isSummaryRequest,
    reply: (r) => {
      const done = tasks.filter((task) =>
        r.allUserText.some((text) => text.includes(task.description.slice(0, 40))),
      );
      return replyText(
        `Summary: tasks done so far: ${done.map((task) => task.description.split(":")[0]).join(", ")}.`,
      );
    },
  });
  mock.on({
    name: "Coordinator delegates, each fact to its specialist",
    when: (r) => coordinator(r) && r.toolResults.length === 0,
    reply: (r) => {
      const task = taskOf(r.lastUserText);
      if (!task) return replyText("FAILED: no such task");
      return {
        toolUses: [
          { name: DELEGATE, input: { role: "backend", task: `Build the endpoint; ${task.backendFact}.` } },
          { name: DELEGATE, input: { role: "qa", task: `Write its tests; ${task.qaFact}.` } },
        ],
      };
    },
  });
  mock.on({
    name: "Coordinator checks both receipts",
    when: coordinator,
    reply: (r) => {
      const results = r.toolResults.map((result) => result.content).join("\n");
      const task = tasks.find((one) => results.includes(receipt("backend", one.backendFact)));
      const done = task && results.includes(receipt("qa", task.qaFact));
      return replyText(done ? "SUCCESS: both parts reported back" : "FAILED: a receipt is missing");
    },
  });
  const specialist = (role: string, factOf: (task: ScriptedTask) => string) => (r: RecordedRequest) => {
    const task = tasks.find((one) => r.lastUserText.includes(factOf(one)));
    return replyText(task ? receipt(role, factOf(task)) : "I was not told what I need");
  };
  mock.on({ when: backend, reply: specialist("backend", (task) => task.backendFact) });
  mock.on({ when: qa, reply: specialist("qa", (task) => task.qaFact) });
  return mock;
}

interface Arm {
  name: string;
  usage: TokenUsage;
  successes: number;
  wallS: number;
  /** Tokens by role, for the CCA arms. */
  byRole: Map<string, number>;
  /** Conversations compacted (Claude Code's summary requests the mock answered). */
  compactions: number;
}

/** (b) and (c): the team on a fresh daemon with these [token_efficiency] settings. */
async function teamArm(
  name: string,
  efficiency: Record<string, string>,
  tasks: readonly ScriptedTask[] = TASKS,
): Promise<Arm> {
  const mock = await teamMock(tasks);
  const ccad = await startCcad({ mockUrl: mock.url, env: { CCA__MEMORY__DISTILL: "true", ...efficiency } });
  const started = performance.now();
  // The distiller runs after each task: the report waits for it, so every process counts.
  const distilled = withDeadline(
    distillationsEnded(ccad, tasks.length),
    DISTILL_DEADLINE_MS,
    `${name}: the distiller did not finish with every task`,
  );
  // Awaited below; an arm that fails first must not leave it rejected and unheard.
  distilled.catch(() => {});
  try {
    let successes = 0;
    for (const task of tasks) {
      const { task: ended } = await ccad.client.createTaskAndWait({ description: task.description });
      if (ended.status === "completed" && ended.result?.startsWith("SUCCESS")) successes++;
    }
    await distilled;
    const report = await ccad.client.tokenReport({ by: "role" });
    return {
      name,
      usage: { ...emptyUsage(), ...report.total },
      successes,
      wallS: (performance.now() - started) / 1000,
      byRole: new Map(report.rows.map((row) => [row.key ?? "(none)", totalTokens(row)])),
      compactions: mock.requests.filter(isSummaryRequest).length,
    };
  } finally {
    await stopAndRemove(ccad);
    await mock.close();
  }
}

const ResultSchema = z.object({
  result: z.string().default(""),
  total_cost_usd: z.number().default(0),
  usage: z.object({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_creation_input_tokens: z.number().default(0),
    cache_read_input_tokens: z.number().default(0),
  }),
});

/** (a): one plain Claude Code session per task, which has every fact itself. */
async function singleSessionArm(): Promise<Arm> {
  const mock = await createMockAnthropic();
  mock.on({
    when: (r) => taskIn(TASKS, r.lastUserText) !== undefined,
    reply: replyText("SUCCESS: done alone"),
  });
  const home = mkdtempSync(join(tmpdir(), "cca-bench-ab-"));
  const env = claudeTestEnv({ mockUrl: mock.url, home });
  const usage = emptyUsage();
  let successes = 0;
  const started = performance.now();
  try {
    for (const task of TASKS) {
      const run = await runClaude(["-p", task.description, "--output-format", "json"], { env, cwd: home });
      const result = ResultSchema.parse(JSON.parse(run.stdout));
      usage.input_tokens += result.usage.input_tokens;
      usage.output_tokens += result.usage.output_tokens;
      usage.cache_creation_input_tokens += result.usage.cache_creation_input_tokens;
      usage.cache_read_input_tokens += result.usage.cache_read_input_tokens;
      usage.cost_usd += result.total_cost_usd;
      if (result.result.startsWith("SUCCESS")) successes++;
    }
  } finally {
    await mock.close();
    rmSync(home, { recursive: true, force: true });
  }
  return {
    name: "(a) one plain Claude Code session",
    usage,
    successes,
    wallS: (performance.now() - started) / 1000,
    byRole: new Map(),
    compactions: 0,
  };
}

const thousands = (n: number) => `${(n / 1000).toFixed(1)}k`;

/** Prints the table; returns the summary lines. */
export async function runTokenAb(): Promise<string[]> {
  const single = await singleSessionArm();
  const off = await teamArm("(b) CCA, token_efficiency off", { CCA__TOKEN_EFFICIENCY__ENABLED: "false" });
  const on = await teamArm("(c) CCA, token_efficiency on", { CCA__TOKEN_EFFICIENCY__ENABLED: "true" });
  // Each saving alone: on, with every other saving off.
  const alone = [
    await teamArm("(c) minimal_tools alone", {
      CCA__TOKEN_EFFICIENCY__MINIMAL_TOOLS: "true",
      CCA__TOKEN_EFFICIENCY__NO_SKILLS: "false",
      CCA__TOKEN_EFFICIENCY__COMPACTION: "false",
    }),
    await teamArm("(c) no_skills alone", {
      CCA__TOKEN_EFFICIENCY__MINIMAL_TOOLS: "false",
      CCA__TOKEN_EFFICIENCY__NO_SKILLS: "true",
      CCA__TOKEN_EFFICIENCY__COMPACTION: "false",
    }),
    // Ten short tasks never reach the default threshold (60k of conversation): nothing to compact.
    await teamArm("(c) compaction alone", {
      CCA__TOKEN_EFFICIENCY__MINIMAL_TOOLS: "false",
      CCA__TOKEN_EFFICIENCY__NO_SKILLS: "false",
      CCA__TOKEN_EFFICIENCY__COMPACTION: "true",
    }),
  ];
  const long = await longRun();
  const arms = [single, off, on, ...alone];
  const n = TASKS.length;
  console.log(`\nToken A/B: ${n} scripted team tasks, two planted facts each (one run, PGlite)`);
  console.log(
    "| arm | succeeded | input | output | cache write | cache read | all tokens | vs (b) | vs (a) | cost | wall |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const arm of arms) {
    const all = totalTokens(arm.usage);
    console.log(
      `| ${arm.name} | ${arm.successes}/${n} | ${thousands(arm.usage.input_tokens)} | ${thousands(arm.usage.output_tokens)} | ${thousands(arm.usage.cache_creation_input_tokens)} | ${thousands(arm.usage.cache_read_input_tokens)} | ${thousands(all)} | ${arm === single ? "" : `${((all / totalTokens(off.usage) - 1) * 100).toFixed(0)}%`} | ${(all / totalTokens(single.usage)).toFixed(1)}x | $${arm.usage.cost_usd.toFixed(2)} | ${arm.wallS.toFixed(0)} s |`,
    );
  }
  for (const arm of [off, on]) {
    console.log(
      `${arm.name} by role: ${[...arm.byRole].map(([role, tokens]) => `${role} ${thousands(tokens)}`).join(", ")}`,
    );
  }
  const reduction = 1 - totalTokens(on.usage) / totalTokens(off.usage);
  // + 0 turns a rounded -0 into 0.
  const share = (arm: Arm) =>
    `${Math.round((1 - totalTokens(arm.usage) / totalTokens(off.usage)) * 100) + 0}%`;
  console.log(
    `each saving alone, against (b): ${alone.map((arm) => `${arm.name.replace("(c) ", "")} ${share(arm)}`).join(", ")}`,
  );
  const [longOff, longOn] = long;
  const longSaving = 1 - totalTokens(longOn.usage) / totalTokens(longOff.usage);
  console.log(
    `\nLong run: ${LONG_TASKS.length} tasks on one Coordinator, minimal tools; compaction above ${LONG_RUN_COMPACT_ABOVE / 1000}k of conversation`,
  );
  console.log("| arm | succeeded | all tokens | coordinator | compactions | cost | wall |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const arm of long) {
    console.log(
      `| ${arm.name} | ${arm.successes}/${LONG_TASKS.length} | ${thousands(totalTokens(arm.usage))} | ${thousands(arm.byRole.get("coordinator") ?? 0)} | ${arm.compactions} | $${arm.usage.cost_usd.toFixed(2)} | ${arm.wallS.toFixed(0)} s |`,
    );
  }
  return [
    `(c) used ${(reduction * 100).toFixed(0)}% fewer tokens than (b), success ${on.successes}/${n} against ${off.successes}/${n}`,
    `the team (c) cost ${(totalTokens(on.usage) / totalTokens(single.usage)).toFixed(1)}x the single session's tokens`,
    `over ${LONG_TASKS.length} tasks, compaction used ${(longSaving * 100).toFixed(0)}% fewer tokens (${longOn.compactions} compactions), success ${longOn.successes}/${LONG_TASKS.length} against ${longOff.successes}/${LONG_TASKS.length}`,
  ];
}

/** The long run, without and with compaction; both with minimal tools. */
async function longRun(): Promise<[Arm, Arm]> {
  const base = { CCA__TOKEN_EFFICIENCY__MINIMAL_TOOLS: "true" };
  return [
    await teamArm("compaction off", { ...base, CCA__TOKEN_EFFICIENCY__COMPACTION: "false" }, LONG_TASKS),
    await teamArm(
      "compaction on",
      {
        ...base,
        CCA__TOKEN_EFFICIENCY__COMPACTION: "true",
        CCA__TOKEN_EFFICIENCY__COMPACT_ABOVE_TOKENS: String(LONG_RUN_COMPACT_ABOVE),
      },
      LONG_TASKS,
    ),
  ];
}
