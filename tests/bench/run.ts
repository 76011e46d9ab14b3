// `pnpm bench`: prints figures measured on real ccad processes, with the real Claude Code CLI
// against the mock Messages API. Not a test: nothing here passes or fails on time.
//
// `pnpm --filter @cca/tests bench [agents] [runtime] [submit] [restart] [queue] [git] [bridge] [memory] [ab]` runs only those
// (BENCH_ONLY=submit,queue does the same); counts are BENCH_* variables, see each file.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { claudeTestEnv, resolveClaudeBinary } from "@cca/mock-anthropic";
import { runAgentRoundTrip } from "./agent-round-trip.js";
import { runQueueThroughput } from "./queue-throughput.js";
import { runRestartToReady } from "./restart-to-ready.js";
import { runSubmitLatency } from "./submit-latency.js";

/** Each benchmark prints its table and returns its lines of the summary. */
const BENCHMARKS: Record<string, () => Promise<string[]>> = {
  agents: runAgentRoundTrip,
  runtime: async () => (await import("./agent-runtime.js")).runAgentRuntime(),
  submit: runSubmitLatency,
  restart: runRestartToReady,
  queue: runQueueThroughput,
  git: async () => (await import("./git-overhead.js")).runGitOverhead(),
  bridge: async () => (await import("./bridge-transports.js")).runBridgeTransports(),
  memory: async () => (await import("./memory-ab.js")).runMemoryAb(),
  ab: async () => (await import("./token-ab.js")).runTokenAb(),
};

function chosenBenchmarks(): string[] {
  const asked = process.argv.slice(2).filter((arg) => arg !== "--");
  const names = asked.length > 0 ? asked : (process.env.BENCH_ONLY?.split(",").filter(Boolean) ?? []);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new Error(`Unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(BENCHMARKS).join(", ")}`);
  }
  return names.length > 0 ? names : Object.keys(BENCHMARKS);
}

function claudeVersion(): string {
  const home = mkdtempSync(join(tmpdir(), "cca-bench-"));
  try {
    const env = { ...process.env, ...claudeTestEnv({ mockUrl: "http://127.0.0.1:9", home }) };
    return execFileSync(resolveClaudeBinary(), ["--version"], { env, encoding: "utf8" }).trim();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

console.log(
  `CCA benchmark: ${claudeVersion()} on the mock Messages API, ${cpus().length} CPUs, Node ${process.version}`,
);

const chosen = chosenBenchmarks();
const summary: string[] = [];
for (const name of chosen) {
  const started = performance.now();
  const lines = await BENCHMARKS[name]!();
  summary.push(
    `${name} (${((performance.now() - started) / 1000).toFixed(0)} s):`,
    ...lines.map((line) => `  ${line}`),
  );
}
console.log(`\nSummary\n${summary.join("\n")}`);
