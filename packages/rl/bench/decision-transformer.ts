// `node --import tsx bench/decision-transformer.ts --seed N [--steps N]`: builds the mixed-quality
// offline CartPole-v1 dataset from the seed, trains a Decision Transformer and behaviour cloning
// for the same number of gradient steps on it, and evaluates each over 20 episodes (the DT asking
// for 500, and, to show it conditions on the return, for 50). The last stdout line is JSON.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BehaviourCloning } from "../src/algorithms/behaviour-cloning.js";
import { DecisionTransformer, evaluateWithRewards } from "../src/algorithms/decision-transformer.js";
import { mean } from "../src/core/train.js";
import { createCartPole } from "../src/envs/cartpole.js";
import { initBackend } from "../src/nn/backend.js";
import { createMixedCartPoleDataset, describeDataset } from "../src/offline/trajectories.js";

/** The most CartPole-v1 allows (500 steps): what the Decision Transformer is asked for. */
const TARGET_RETURN = 500;
/** About what the poor episodes return: asking for it should give a clearly worse policy. */
const LOW_TARGET_RETURN = 50;
const CONTEXT_LENGTH = 10;
const DT_BATCH = 64;

/** What one seed's run measured; the gate: the Decision Transformer's mean return above behaviour cloning's. */
export interface DecisionTransformerRun {
  algo: "decision-transformer";
  env: "CartPole-v1";
  seed: number;
  dt_mean_return: number;
  bc_mean_return: number;
  dataset_mean_return: number;
  dt_low_target_mean_return: number;
  gradient_steps: number;
  wall_s: number;
}

/** Builds the seed's dataset, trains both for `steps` gradient steps, and evaluates each. */
export async function runDecisionTransformerBench(options: {
  seed: number;
  steps: number;
  episodes: number;
  evalEpisodes: number;
  log: (line: string) => void;
}): Promise<DecisionTransformerRun> {
  const { seed, steps, log } = options;
  const started = performance.now();
  const backend = await initBackend();
  const env = createCartPole();
  const dataset = createMixedCartPoleDataset({ seed, episodes: options.episodes });
  const summary = describeDataset(dataset);
  const parts = Object.entries(summary.byLabel).map(
    ([label, part]) => `${label} ${part.episodes} × ${part.meanReturn.toFixed(1)}`,
  );
  log(
    `dataset (seed ${seed}, ${backend}): ${summary.episodes} episodes, ${summary.steps} steps, mean return ${summary.meanReturn.toFixed(1)}; ${parts.join(", ")}`,
  );
  const evaluation = { episodes: options.evalEpisodes, seed: seed + 7_777_777 };

  /** Trains for the shared budget, then returns the mean greedy return for each target (the DT's own without one). */
  function fitAndEvaluate(
    algorithm: DecisionTransformer | BehaviourCloning,
    targets: readonly (number | undefined)[] = [undefined],
  ): number[] {
    const trainStarted = performance.now();
    const { loss } = algorithm.fit(dataset, { steps });
    log(
      `${algorithm.name}: ${steps} gradient steps in ${((performance.now() - trainStarted) / 1000).toFixed(1)}s, last loss ${loss.toFixed(4)}`,
    );
    const means = targets.map((targetReturn) => {
      const returns = evaluateWithRewards(algorithm, createCartPole(), { ...evaluation, targetReturn });
      log(
        `${algorithm.name}${targetReturn === undefined ? "" : ` (target ${targetReturn})`}: returns ${returns.join(" ")}`,
      );
      return mean(returns);
    });
    algorithm.dispose();
    return means;
  }

  const [dt, dtLowTarget] = fitAndEvaluate(
    new DecisionTransformer(env.observationSpace, env.actionSpace, {
      seed,
      targetReturn: TARGET_RETURN,
      contextLength: CONTEXT_LENGTH,
      batchSize: DT_BATCH,
      maxTimestep: env.maxEpisodeSteps,
    }),
    [TARGET_RETURN, LOW_TARGET_RETURN],
  ) as [number, number];
  // The same number of action labels per gradient step as the Decision Transformer's K-step windows.
  const [bc] = fitAndEvaluate(
    new BehaviourCloning(env.observationSpace, env.actionSpace, {
      seed,
      batchSize: DT_BATCH * CONTEXT_LENGTH,
    }),
  ) as [number];
  return {
    algo: "decision-transformer",
    env: "CartPole-v1",
    seed,
    dt_mean_return: dt,
    bc_mean_return: bc,
    dataset_mean_return: summary.meanReturn,
    dt_low_target_mean_return: dtLowTarget,
    gradient_steps: steps,
    wall_s: Number(((performance.now() - started) / 1000).toFixed(2)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      seed: { type: "string", default: "1" },
      steps: { type: "string", default: "1000" },
      episodes: { type: "string", default: "100" },
      "eval-episodes": { type: "string", default: "20" },
    },
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const integer = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
      log(`--${name} must be a non-negative integer, got "${text}"`);
      process.exit(2);
    }
    return value;
  };
  const run = await runDecisionTransformerBench({
    seed: integer("seed", values.seed),
    steps: integer("steps", values.steps),
    episodes: integer("episodes", values.episodes),
    evalEpisodes: integer("eval-episodes", values["eval-episodes"]),
    log,
  });
  process.stdout.write(
    `CartPole-v1 seed ${run.seed}: Decision Transformer ${run.dt_mean_return.toFixed(1)} (asked for ${LOW_TARGET_RETURN}: ${run.dt_low_target_mean_return.toFixed(1)}), behaviour cloning ${run.bc_mean_return.toFixed(1)}, dataset ${run.dataset_mean_return.toFixed(1)}; ${run.gradient_steps} gradient steps each, ${run.wall_s}s. DT ${run.dt_mean_return > run.bc_mean_return ? "beats" : "does not beat"} BC\n`,
  );
  process.stdout.write(`${JSON.stringify(run)}\n`);
}
