// The environments against trajectories recorded from Gymnasium itself (commit 3f0476a of
// Farama-Foundation/Gymnasium, numpy 2.4): same start state and actions, same floats out.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CartPole, FrozenLake, Pendulum } from "../src/index.js";

interface Recorded {
  initial_state: number[];
  steps: { action: number | number[]; observation: number[]; reward: number; terminated: boolean }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/gymnasium-trajectories.json", import.meta.url), "utf8"),
);

function replay(env: CartPole | Pendulum, recorded: Recorded) {
  env.reset({ seed: 0 });
  env.setState(recorded.initial_state);
  return recorded.steps.map(({ action }) => env.step(action as never));
}

describe("Gymnasium parity", () => {
  it("CartPole-v1 reproduces Gymnasium's observations, rewards and terminations step for step", () => {
    const recorded: Recorded = fixture["CartPole-v1"];
    const steps = replay(new CartPole(), recorded);
    steps.forEach((step, i) => {
      expect(step.observation).toEqual(recorded.steps[i]!.observation);
      expect(step.reward).toBe(recorded.steps[i]!.reward);
      expect(step.terminated).toBe(recorded.steps[i]!.terminated);
    });
    expect(recorded.steps.some((step) => step.terminated)).toBe(true);
  });

  it("Pendulum-v1 reproduces Gymnasium's observations and rewards, with torques clipped", () => {
    const recorded: Recorded = fixture["Pendulum-v1"];
    const steps = replay(new Pendulum(), recorded);
    steps.forEach((step, i) => {
      recorded.steps[i]!.observation.forEach((value, j) => {
        expect(step.observation[j]).toBeCloseTo(value, 5);
      });
      expect(step.reward).toBeCloseTo(recorded.steps[i]!.reward, 5);
    });
  });

  it("FrozenLake-v1 4x4 slippery has Gymnasium's transition model in every state", () => {
    const lake = new FrozenLake();
    const recorded: Record<string, Record<string, [number, number, number, boolean][]>> = fixture[
      "FrozenLake-v1"
    ].transitions;
    for (const [state, byAction] of Object.entries(recorded)) {
      for (const [action, outcomes] of Object.entries(byAction)) {
        const ours = lake.transitions(Number(state), Number(action));
        expect(ours.map((o) => [o.next, o.reward, o.terminated])).toEqual(
          outcomes.map(([, n, r, t]) => [n, r, t]),
        );
        ours.forEach((o, i) => {
          expect(o.probability).toBeCloseTo(outcomes[i]![0], 12);
        });
      }
    }
  });
});
