// `pnpm --filter @cca/rl bench -- <algo> <env> --seed N [--steps N] [--json]` trains one
// algorithm and evaluates it over 20 episodes; `bench -- gates [--seeds 1,2,3]` runs every gate;
// `bench -- routing` (the default) compares the learned router with the heuristic and round-robin.
import { readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { envId } from "../src/index.js";
import type { CustomGate } from "./gate.js";
import { type Preset, type PresetRun, runPreset } from "./preset.js";
import { runRoutingBench } from "./routing.js";

const USAGE = `usage: bench <algo> <env> [--seed N] [--steps N] [--json]
       bench gates [--seeds 1,2,3]      every gate, each on several seeds
       bench routing [--seeds 1,2,3] [--tasks 4000]
                                        the learned router against the heuristic and round-robin`;

/** Every module in presets/ exports `presets` (train, then evaluate) and/or `gates` (custom runs). */
async function loadPresets(): Promise<{ presets: Preset[]; gates: CustomGate[] }> {
  const folder = new URL("./presets/", import.meta.url);
  const files = readdirSync(folder).filter((file) => file.endsWith(".ts"));
  const modules: { presets?: Preset[]; gates?: CustomGate[] }[] = await Promise.all(
    files.map((file) => import(new URL(file, folder).href)),
  );
  return {
    presets: modules.flatMap((module) => module.presets ?? []),
    gates: modules.flatMap((module) => module.gates ?? []),
  };
}

const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  allowPositionals: true,
  options: {
    seed: { type: "string", default: "1" },
    seeds: { type: "string", default: "1,2,3" },
    steps: { type: "string" },
    tasks: { type: "string", default: "4000" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
const { presets, gates } = await loadPresets();
const known = [...presets, ...gates].map((entry) => `${entry.algorithm} ${entry.env}`).join("\n  ");
if (values.help) {
  process.stdout.write(`${USAGE}\n\nknown:\n  ${known}\n`);
  process.exit(0);
}
// `pnpm bench` (no arguments) runs the quick one; the gates take an hour (`bench -- gates`).
if (positionals.length === 0) positionals.push("routing");

const log = (line: string) => process.stderr.write(`${line}\n`);
const integer = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    log(`--${name} must be a non-negative integer, got "${text}"`);
    process.exit(2);
  }
  return value;
};
const passes = (preset: Preset, run: PresetRun) =>
  run.mean_return >= preset.threshold && run.env_steps <= preset.steps;

if (positionals[0] === "routing") {
  const seeds = values.seeds.split(",").map((seed) => integer("seeds", seed));
  const tasks = integer("tasks", values.tasks);
  const summary = runRoutingBench({ seeds, tasks, window: Math.max(1, Math.round(tasks / 8)), log });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} else if (positionals[0] === "gates") {
  const seeds = values.seeds.split(",").map((seed) => integer("seeds", seed));
  const need = Math.ceil((2 / 3) * seeds.length);
  const rows: string[] = [];
  for (const preset of presets) {
    const runs: PresetRun[] = [];
    for (const seed of seeds) {
      const run = await runPreset(preset, {
        seed,
        onProgress: (line) => log(`${preset.algorithm} ${preset.env} seed ${seed} ${line}`),
      });
      runs.push(run);
      log(JSON.stringify(run));
    }
    const passed = runs.filter((run) => passes(preset, run)).length;
    rows.push(
      `| ${preset.algorithm} | ${preset.env} | ≥ ${preset.threshold} ${preset.measure ?? "return"} in ≤ ${preset.steps} steps | ${runs.map((run) => `${run.mean_return.toFixed(2)} @ ${run.env_steps} (${run.wall_s}s)`).join("; ")} | ${passed}/${seeds.length} ${passed >= need ? "pass" : "FAIL"} |`,
    );
  }
  for (const gate of gates) {
    const runs = [];
    for (const seed of seeds) {
      const run = await gate.run(seed, (line) => log(`${gate.algorithm} ${gate.env} seed ${seed} ${line}`));
      runs.push(run);
      log(JSON.stringify(run.result));
    }
    const passed = runs.filter((run) => run.passed).length;
    rows.push(
      `| ${gate.algorithm} | ${gate.env} | ${gate.description} | ${runs.map((run) => run.summary).join("; ")} | ${passed}/${seeds.length} ${passed >= need ? "pass" : "FAIL"} |`,
    );
  }
  process.stdout.write(
    `| algorithm | environment | gate | seeds: result (wall) | result |\n|---|---|---|---|---|\n${rows.join("\n")}\n`,
  );
} else {
  const [algorithm, envName] = positionals;
  let env: string;
  try {
    env = envId(envName ?? "");
  } catch (error) {
    log((error as Error).message);
    process.exit(2);
  }
  const seed = integer("seed", values.seed);
  const preset = presets.find((candidate) => candidate.algorithm === algorithm && candidate.env === env);
  const gate = gates.find((candidate) => candidate.algorithm === algorithm && candidate.env === env);
  if (preset) {
    const run = await runPreset(preset, {
      seed,
      steps: values.steps === undefined ? undefined : integer("steps", values.steps),
      onProgress: log,
    });
    if (!values.json) {
      log(
        `${run.algo} on ${run.env}, seed ${seed}: mean ${preset.measure ?? "return"} ${run.mean_return.toFixed(3)} after ${run.env_steps} steps in ${run.wall_s}s (gate ≥ ${preset.threshold}: ${passes(preset, run) ? "pass" : "fail"})`,
      );
    }
    process.stdout.write(`${JSON.stringify(run)}\n`);
  } else if (gate) {
    const run = await gate.run(seed, log);
    if (!values.json)
      log(`${gate.algorithm} on ${gate.env}, seed ${seed}: ${run.summary} (${run.passed ? "pass" : "fail"})`);
    process.stdout.write(`${JSON.stringify(run.result)}\n`);
  } else {
    log(`No preset for ${algorithm} on ${envName}; known:\n  ${known}`);
    process.exit(2);
  }
}
