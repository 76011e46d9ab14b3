// CartPole-v1, ported from Gymnasium's classic_control/cartpole.py (Euler integration,
// reward 1 per step including the terminating one, truncated at 500 steps), so returns
// compare with published results. Observations are float32, as Gymnasium returns them.
import type { Env, StepResult } from "../core/env.js";
import { Random } from "../core/random.js";
import { box, discrete } from "../core/spaces.js";
import { withTimeLimit } from "./time-limit.js";

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;

type State = [number, number, number, number];

/** The bare dynamics, without the time limit. */
export class CartPole implements Env<number[], number> {
  readonly id = "CartPole-v1";
  readonly observationSpace = box(
    [-X_THRESHOLD * 2, -Infinity, -THETA_THRESHOLD * 2, -Infinity].map(Math.fround),
    [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD * 2, Infinity].map(Math.fround),
  );
  readonly actionSpace = discrete(2);
  private random = new Random(0);
  private state: State | undefined;
  private stepsBeyondTerminated: number | undefined;

  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.random = new Random(options.seed);
    this.state = [0, 0, 0, 0].map(() => this.random.uniform(-0.05, 0.05)) as State;
    this.stepsBeyondTerminated = undefined;
    return { observation: this.observation() };
  }

  step(action: number): StepResult<number[]> {
    if (!this.state) throw new Error("CartPole: call reset() before step()");
    if (action !== 0 && action !== 1) throw new RangeError(`CartPole actions are 0 or 1, got ${action}`);
    let [x, xDot, theta, thetaDot] = this.state;
    const force = action === 1 ? FORCE : -FORCE;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sinTheta - cosTheta * temp) /
      (HALF_LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    x = x + TAU * xDot;
    xDot = xDot + TAU * xAcc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaAcc;
    this.state = [x, xDot, theta, thetaDot];
    const terminated =
      x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
    let reward = 1;
    if (terminated) {
      if (this.stepsBeyondTerminated === undefined) this.stepsBeyondTerminated = 0;
      else {
        this.stepsBeyondTerminated += 1;
        reward = 0;
      }
    }
    return { observation: this.observation(), reward, terminated, truncated: false };
  }

  /** Sets the internal state (float64, as Gymnasium keeps it), e.g. to replay a recorded trajectory. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || !state.every(Number.isFinite)) {
      throw new RangeError(`${this.id} state is 4 finite numbers, got ${JSON.stringify(state)}`);
    }
    this.state = [...state] as [number, number, number, number];
  }

  private observation(): number[] {
    return this.state!.map(Math.fround);
  }
}

/** CartPole-v1 as Gymnasium registers it: truncated at 500 steps. */
export function createCartPole(): Env<number[], number> {
  return withTimeLimit(new CartPole(), 500);
}
