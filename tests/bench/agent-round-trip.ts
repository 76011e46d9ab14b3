// Agent start-up and the daemon's own overhead on a task, measured with the real Claude Code
// CLI against the mock Messages API (so the model's time is ~0 and what remains is Claude
// Code's and CCA's).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeTestEnv, resolveClaudeBinary } from "@cca/mock-anthropic";
import { startCcad } from "../support/ccad-process.js";
import { bareClaudeFirstAnswer, bareClaudeSpawnToReady } from "./bare-claude.js";
import { startInstantMock } from "./bench-mock.js";
import { countOption } from "./options.js";
import { HEADER, p50, row } from "./stats.js";
import { stopAndRemove } from "./storage-setups.js";

const SPAWN_RUNS = countOption("BENCH_SPAWN_RUNS", 10);
const TASK_RUNS = countOption("BENCH_TASK_RUNS", 20);

/** Prints the table; returns the summary lines. */
export async function runAgentRoundTrip(): Promise<string[]> {
  const mock = await startInstantMock();
  const claudePath = resolveClaudeBinary();
  const home = mkdtempSync(join(tmpdir(), "cca-bench-"));
  const env = { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home }) };
  const ccad = await startCcad({ mockUrl: mock.url });
  const { client } = ccad;
  try {
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

    console.log("\nAgent start-up and task round trip (PGlite, the default storage)");
    console.log(HEADER);
    console.log(row("agent spawn-to-ready: bare claude -p, by hand", bareReady));
    console.log(row("agent spawn-to-ready: ccad POST /api/v1/agents", daemonReady));
    console.log(row('first answer: bare claude -p "..." (spawn to exit)', bareFirst));
    console.log(row("first task on a cold daemon (spawns the Coordinator)", [coldFirstTask]));
    console.log(row("task round trip, warm Coordinator (POST wait=true)", roundTrip));
    console.log(row("daemon overhead = round trip - agent duration_ms", overhead));
    const ratio = p50(daemonReady) / p50(bareReady);
    console.log(`spawn-to-ready ratio ccad/bare at p50: ${ratio.toFixed(2)}x`);
    return [
      `agent spawn-to-ready p50: ccad ${p50(daemonReady).toFixed(0)} ms, bare claude ${p50(bareReady).toFixed(0)} ms`,
      `task round trip p50 ${p50(roundTrip).toFixed(1)} ms, of which daemon overhead ${p50(overhead).toFixed(1)} ms`,
    ];
  } finally {
    await stopAndRemove(ccad);
    await mock.close();
    rmSync(home, { recursive: true, force: true });
  }
}
