// Pendulum-v1, ported from Gymnasium's classic_control/pendulum.py (g = 10, torque in
// [-2, 2], never terminates, truncated at 200 steps).
import type { Env, StepResult } from "../core/env.js";
import { Random } from "../core/random.js";
import { box } from "../core/spaces.js";
import { withTimeLimit } from "./time-limit.js";

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const MASS = 1.0;
const LENGTH = 1.0;

const angleNormalize = (x: number) =>
  ((((x + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
const clip = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));

/** The bare dynamics, without the time limit. */
export class Pendulum implements Env<number[], number[]> {
  readonly id = "Pendulum-v1";
  readonly observationSpace = box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace = box([-MAX_TORQUE], [MAX_TORQUE]);
  private random = new Random(0);
  private state: [number, number] | undefined;

  constructor(private readonly gravity = 10.0) {}

  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.random = new Random(options.seed);
    this.state = [this.random.uniform(-Math.PI, Math.PI), this.random.uniform(-1, 1)];
    return { observation: this.observation() };
  }

  step(action: readonly number[]): StepResult<number[]> {
    if (!this.state) throw new Error("Pendulum: call reset() before step()");
    const torque = action[0];
    if (typeof torque !== "number" || Number.isNaN(torque)) {
      throw new RangeError(`Pendulum's action is [torque], got ${JSON.stringify(action)}`);
    }
    const [theta, thetaDot] = this.state;
    const u = clip(torque, -MAX_TORQUE, MAX_TORQUE);
    const costs = angleNormalize(theta) ** 2 + 0.1 * thetaDot ** 2 + 0.001 * u ** 2;
    // Same operation order as Gymnasium, so the floats match too.
    let newThetaDot =
      thetaDot +
      (((3 * this.gravity) / (2 * LENGTH)) * Math.sin(theta) + (3.0 / (MASS * LENGTH ** 2)) * u) * DT;
    newThetaDot = clip(newThetaDot, -MAX_SPEED, MAX_SPEED);
    this.state = [theta + newThetaDot * DT, newThetaDot];
    return { observation: this.observation(), reward: -costs, terminated: false, truncated: false };
  }

  /** Sets the internal state (float64, as Gymnasium keeps it), e.g. to replay a recorded trajectory. */
  setState(state: readonly number[]): void {
    if (state.length !== 2 || !state.every(Number.isFinite)) {
      throw new RangeError(`${this.id} state is 2 finite numbers, got ${JSON.stringify(state)}`);
    }
    this.state = [...state] as [number, number];
  }

  private observation(): number[] {
    const [theta, thetaDot] = this.state!;
    return [Math.cos(theta), Math.sin(theta), thetaDot].map(Math.fround);
  }
}

/** Pendulum-v1 as Gymnasium registers it: truncated at 200 steps. */
export function createPendulum(): Env<number[], number[]> {
  return withTimeLimit(new Pendulum(), 200);
}
