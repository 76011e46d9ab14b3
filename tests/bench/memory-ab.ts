// Memory on against memory off: a later task succeeds only if the lesson of an earlier one
// reaches it. Real ccad and Claude Code on the mock, which plays every model: the
// Coordinator states a lesson as it finishes a first task, the distiller (a cheap turn of
// Claude Code) writes it down, and a later, similar task succeeds only when its prompt
// carries that lesson. The pairs are the ReasoningBank's labelled set
// (packages/memory/bench/fixtures/retrieval-pairs.json); all first tasks run before any later one, so
// each later task must find its own lesson among all of them.
import { readFileSync } from "node:fs";
import { totalTokens, withDeadline } from "@cca/core";
import {
  createMockAnthropic,
  type MockAnthropic,
  type RecordedRequest,
  replyText,
} from "@cca/mock-anthropic";
import { z } from "zod";
import { distillationsEnded } from "../support/activity.js";
import { type CcadProcess, startCcad } from "../support/ccad-process.js";
import { countOption } from "./options.js";
import { stopAndRemove } from "./storage-setups.js";

const PAIRS = z
  .array(z.object({ title: z.string(), content: z.string(), query: z.string() }))
  .parse(
    JSON.parse(
      readFileSync(
        new URL("../../packages/memory/bench/fixtures/retrieval-pairs.json", import.meta.url),
        "utf8",
      ),
    ),
  )
  .slice(0, countOption("BENCH_MEMORY_PAIRS", 52));

const HINTS = "Hints from CCA's memory of earlier tasks";
const SUCCESS = "SUCCESS";
/** The longest the distiller may take over all first tasks. */
const DISTILL_DEADLINE_MS = 300_000;
const isDistiller = (r: RecordedRequest) => r.systemText.includes("You are the ReasoningBank distiller");

type Pair = (typeof PAIRS)[number];

interface ArmResult {
  name: string;
  successes: number;
  /** Later tasks given a hint block that did not carry their own lesson. */
  wrongHints: number;
  /** Later tasks given no hint at all. */
  noHints: number;
  turns: number[];
  /** Per hinted request: the hint block's share of the request (the mock counts tokens as bytes / 4). */
  hintShares: number[];
  hintTokens: number[];
  /** Tokens each first task's distillation added to its usage. */
  distillTokens: number[];
  wallS: number;
}

/** The mock as every model of the bench: Coordinator, distiller. */
async function scriptedMock(): Promise<MockAnthropic> {
  const mock = await createMockAnthropic();
  const pairOf = (r: RecordedRequest, key: (pair: Pair) => string) =>
    PAIRS.find((pair) => r.lastUserText.startsWith(key(pair)));
  mock.on({
    name: "distiller",
    when: (r) => isDistiller(r) && r.toolResults.length === 0,
    reply: (r) => {
      const pair = PAIRS.find((one) => r.lastUserText.includes(`Task (completed):\n${one.title}`));
      const items = pair ? [{ title: pair.title, description: "", content: pair.content }] : [];
      return { toolUses: [{ name: "StructuredOutput", input: { items } }] };
    },
  });
  mock.on({ name: "distiller's end", when: isDistiller, reply: replyText("done") });
  mock.on({
    name: "first task: states its lesson",
    when: (r) => pairOf(r, (pair) => pair.title) !== undefined,
    reply: (r) => replyText(`Done. ${pairOf(r, (pair) => pair.title)!.content}`),
  });
  mock.on({
    name: "later task: succeeds only with its lesson",
    when: (r) => pairOf(r, (pair) => pair.query) !== undefined,
    reply: (r) =>
      replyText(
        r.lastUserText.includes(pairOf(r, (pair) => pair.query)!.content)
          ? `${SUCCESS}: used the lesson`
          : "FAILED: did not know what the earlier task learned",
      ),
  });
  return mock;
}

async function runArm(name: string, env: Record<string, string>): Promise<ArmResult> {
  const mock = await scriptedMock();
  const ccad: CcadProcess = await startCcad({ mockUrl: mock.url, env });
  const started = performance.now();
  const result: ArmResult = {
    name,
    successes: 0,
    wrongHints: 0,
    noHints: 0,
    turns: [],
    hintShares: [],
    hintTokens: [],
    distillTokens: [],
    wallS: 0,
  };
  try {
    const first: { id: string; tokens: number }[] = [];
    // Listening from the start: each first task's distillation ends while later ones run.
    const distilled = env.CCA__MEMORY__DISTILL === "true" ? distillationsEnded(ccad, PAIRS.length) : null;
    // Awaited below; an arm that fails first must not leave it rejected and unheard.
    distilled?.catch(() => {});
    for (const pair of PAIRS) {
      const { task } = await ccad.client.createTaskAndWait({ description: pair.title });
      if (task.status !== "completed") throw new Error(`first task ended ${task.status}: ${pair.title}`);
      first.push({ id: task.id, tokens: totalTokens(task.usage) });
    }
    if (distilled) {
      await withDeadline(
        distilled,
        DISTILL_DEADLINE_MS,
        "the distiller did not finish with every first task",
      );
      for (const task of first) {
        result.distillTokens.push(totalTokens((await ccad.client.getTask(task.id)).usage) - task.tokens);
      }
    }
    for (const pair of PAIRS) {
      const { task } = await ccad.client.createTaskAndWait({ description: pair.query });
      if (task.result?.startsWith(SUCCESS)) result.successes++;
      result.turns.push(task.num_turns ?? 0);
      const request = await mock.waitForRequest(
        (r) => !isDistiller(r) && r.lastUserText.startsWith(pair.query),
      );
      const at = request.lastUserText.indexOf(HINTS);
      if (at < 0) {
        result.noHints++;
        continue;
      }
      if (!request.lastUserText.includes(pair.content)) result.wrongHints++;
      const hintBytes = Buffer.byteLength(request.lastUserText.slice(at));
      const requestBytes = Buffer.byteLength(JSON.stringify(request.body));
      result.hintShares.push(hintBytes / requestBytes);
      result.hintTokens.push(Math.ceil(hintBytes / 4));
    }
  } finally {
    result.wallS = (performance.now() - started) / 1000;
    await stopAndRemove(ccad);
    await mock.close();
  }
  return result;
}

const mean = (values: number[]) =>
  values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : 0;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Prints the table; returns the summary lines. */
export async function runMemoryAb(): Promise<string[]> {
  const arms = [
    await runArm("memory off (hints 0, no distiller)", {
      CCA__MEMORY__HINTS: "0",
      CCA__MEMORY__DISTILL: "false",
    }),
    await runArm("memory on (hints 1, the default)", {
      CCA__MEMORY__HINTS: "1",
      CCA__MEMORY__DISTILL: "true",
    }),
    await runArm("memory on (hints 3)", { CCA__MEMORY__HINTS: "3", CCA__MEMORY__DISTILL: "true" }),
  ];
  const n = PAIRS.length;
  console.log(`\nMemory on against off: ${n} pairs, every first task before any later one (one run, PGlite)`);
  console.log(
    "| arm | later tasks succeeded | no hint | wrong hint only | turns (mean) | hint share of request (mean / max) | hint tokens (mean) | distiller tokens per task (mean) | wall |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const arm of arms) {
    console.log(
      `| ${arm.name} | ${arm.successes}/${n} (${percent(arm.successes / n)}) | ${arm.noHints} | ${arm.wrongHints} | ${mean(arm.turns).toFixed(1)} | ${percent(mean(arm.hintShares))} / ${percent(Math.max(0, ...arm.hintShares))} | ${mean(arm.hintTokens).toFixed(0)} | ${mean(arm.distillTokens).toFixed(0)} | ${arm.wallS.toFixed(0)} s |`,
    );
  }
  return arms.map(
    (arm) =>
      `${arm.name}: ${percent(arm.successes / n)} of later tasks succeeded; hints ${percent(mean(arm.hintShares))} of the request`,
  );
}
