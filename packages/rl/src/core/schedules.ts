// Schedules: a hyperparameter as a function of progress (exploration rates, learning rates).

/** A value for each step count. */
export type Schedule = (step: number) => number;

export const constant =
  (value: number): Schedule =>
  () =>
    value;

/** From `start` to `end` over `steps`, then `end`. */
export function linear(start: number, end: number, steps: number): Schedule {
  if (!(steps > 0)) throw new RangeError(`linear schedule needs steps > 0, got ${steps}`);
  return (step) => start + (end - start) * Math.min(1, Math.max(0, step / steps));
}

/** `start · rate^step`, never below `floor`. */
export function exponential(start: number, rate: number, floor = 0): Schedule {
  return (step) => Math.max(floor, start * rate ** step);
}
