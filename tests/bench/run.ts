// `pnpm bench`: prints figures for agent start-up and the daemon's own overhead, measured
// with the real Claude Code CLI against the mock Messages API (so the model's time is ~0
// and what remains is Claude Code's and CCA's). Not a test: nothing here passes or fails.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createDaemonClient } from "@cca/core";
import { claudeTestEnv, createMockAnthropic, replyText, resolveClaudeBinary } from "@cca/mock-anthropic";
import { startCcad } from "../support/ccad-process.js";
import { bareClaudeFirstAnswer, bareClaudeSpawnToReady } from "./bare-claude.js";
import { HEADER, quantile, row } from "./stats.js";

const SPAWN_RUNS = Number(process.env.BENCH_SPAWN_RUNS ?? 10);
const TASK_RUNS = Number(process.env.BENCH_TASK_RUNS ?? 20);

const mock = await createMockAnthropic();
mock.on({ when: () => true, reply: replyText("bench answer", { input_tokens: 100, output_tokens: 10 }) });
const claudePath = resolveClaudeBinary();
const home = mkdtempSync(join(tmpdir(), "cca-bench-"));
const env = { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home }) };
const ccad = await startCcad({ mockUrl: mock.url });
const client = createDaemonClient({ baseUrl: ccad.url, token: ccad.token });

const bareReady: number[] = [];
const daemonReady: number[] = [];
for (let run = 0; run < SPAWN_RUNS; run++) {
  bareReady.push(await bareClaudeSpawnToReady(claudePath, env, home));
  const started = performance.now();
  const agent = await client.spawnAgent("backend");
  daemonReady.push(performance.now() - started);
  await client.stopAgent(agent.id);
}

const bareFirst: number[] = [];
for (let run = 0; run < Math.min(SPAWN_RUNS, 5); run++)
  bareFirst.push(await bareClaudeFirstAnswer(claudePath, env, home));

// The first task also spawns the Coordinator; it is reported alone and left out of the overhead.
const coldStart = performance.now();
await client.createTaskAndWait({ description: "warm up the coordinator" });
const coldFirstTask = performance.now() - coldStart;

const roundTrip: number[] = [];
const overhead: number[] = [];
for (let run = 0; run < TASK_RUNS; run++) {
  const started = performance.now();
  const { task } = await client.createTaskAndWait({ description: `bench task ${run}` });
  const elapsed = performance.now() - started;
  if (task.status !== "completed" || task.agent_duration_ms === null)
    throw new Error(`bench task ended ${task.status}`);
  roundTrip.push(elapsed);
  overhead.push(elapsed - task.agent_duration_ms);
}

const claudeVersion = execFileSync(claudePath, ["--version"], { env, encoding: "utf8" }).trim();
console.log(
  `CCA benchmark: ${claudeVersion} on the mock Messages API, ${cpus().length} CPUs, Node ${process.version}`,
);
console.log(HEADER);
console.log(row("agent spawn-to-ready: bare claude -p, by hand", bareReady));
console.log(row("agent spawn-to-ready: ccad POST /api/v1/agents", daemonReady));
console.log(row('first answer: bare claude -p "..." (spawn to exit)', bareFirst));
console.log(row("first task on a cold daemon (spawns the Coordinator)", [coldFirstTask]));
console.log(row("task round trip, warm Coordinator (POST wait=true)", roundTrip));
console.log(row("daemon overhead = round trip - agent duration_ms", overhead));
const ratio = quantile(daemonReady, 0.5) / quantile(bareReady, 0.5);
console.log(`spawn-to-ready ratio ccad/bare at p50: ${ratio.toFixed(2)}x`);

await ccad.stop();
await mock.close();
