// Observation and action spaces, as Gymnasium names them: Discrete(n) and Box(low, high).
import type { Random } from "./random.js";

/** n choices, 0 … n-1. */
export interface DiscreteSpace {
  readonly kind: "discrete";
  readonly n: number;
}

/** A vector of floats, each between its low and high bound (±Infinity for unbounded). */
export interface BoxSpace {
  readonly kind: "box";
  readonly shape: readonly number[];
  readonly low: readonly number[];
  readonly high: readonly number[];
}

export type Space = DiscreteSpace | BoxSpace;

export function discrete(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Discrete space needs n >= 1, got ${n}`);
  return { kind: "discrete", n };
}

/** A one-dimensional box; `low` and `high` may be one number for every dimension. */
export function box(
  low: number | readonly number[],
  high: number | readonly number[],
  size?: number,
): BoxSpace {
  const length = size ?? (Array.isArray(low) ? low.length : Array.isArray(high) ? high.length : 1);
  const expand = (bound: number | readonly number[]) =>
    typeof bound === "number" ? Array.from({ length }, () => bound) : [...bound];
  const lows = expand(low);
  const highs = expand(high);
  if (lows.length !== length || highs.length !== length) {
    throw new RangeError(`Box bounds must have ${length} values, got ${lows.length} and ${highs.length}`);
  }
  lows.forEach((value, i) => {
    if (!(value <= highs[i]!)) throw new RangeError(`Box low[${i}]=${value} is above high[${i}]=${highs[i]}`);
  });
  return { kind: "box", shape: [length], low: lows, high: highs };
}

/** How many numbers an observation of the space takes when fed to a network (one-hot for Discrete). */
export function flatSize(space: Space): number {
  return space.kind === "discrete" ? space.n : space.shape.reduce((product, size) => product * size, 1);
}

/** A uniformly random member (a bounded Box only). */
export function sample(space: Space, random: Random): number | number[] {
  if (space.kind === "discrete") return random.int(space.n);
  return space.low.map((low, i) => {
    const high = space.high[i]!;
    if (!Number.isFinite(low) || !Number.isFinite(high)) {
      throw new RangeError("Cannot sample uniformly from an unbounded Box");
    }
    return random.uniform(low, high);
  });
}

export function contains(space: Space, value: unknown): boolean {
  if (space.kind === "discrete")
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) < space.n;
  return (
    Array.isArray(value) &&
    value.length === space.low.length &&
    value.every((x, i) => typeof x === "number" && x >= space.low[i]! && x <= space.high[i]!)
  );
}
