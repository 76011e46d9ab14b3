// Categorical (C51) value distributions (Bellemare et al. 2017): a fixed support of atoms,
// and the projection of a Bellman-updated distribution back onto it.

/** `atoms` evenly spaced values z_i = vMin + i·Δz from vMin to vMax. */
export interface CategoricalSupport {
  readonly atoms: number;
  readonly vMin: number;
  readonly vMax: number;
  /** Δz = (vMax − vMin) / (atoms − 1). */
  readonly delta: number;
  readonly values: Float32Array;
}

/** The support of `atoms` values from `vMin` to `vMax`. */
export function createSupport(atoms: number, vMin: number, vMax: number): CategoricalSupport {
  if (!Number.isInteger(atoms) || atoms < 2) {
    throw new RangeError(`A categorical support needs an integer number of atoms >= 2, got ${atoms}`);
  }
  if (!Number.isFinite(vMin) || !Number.isFinite(vMax) || !(vMin < vMax)) {
    throw new RangeError(`A categorical support needs finite vMin < vMax, got vMin=${vMin}, vMax=${vMax}`);
  }
  const delta = (vMax - vMin) / (atoms - 1);
  const values = new Float32Array(atoms);
  for (let i = 0; i < atoms; i++) values[i] = vMin + i * delta;
  return { atoms, vMin, vMax, delta, values };
}

/** A batch of next-state distributions and the Bellman update to apply to them. */
export interface BellmanTarget {
  /** [batch × atoms] row-major probabilities of the bootstrap distribution at s'. */
  probabilities: ArrayLike<number>;
  rewards: ArrayLike<number>;
  /** The bootstrap's discount: γ, or γ^n for n-step transitions. */
  discounts: ArrayLike<number>;
  /** 1 where the episode terminated (the target is the reward alone), else 0. */
  dones: ArrayLike<number>;
}

/**
 * Projects T z_j = r + (1 − done)·discount·z_j, clipped to [vMin, vMax], onto the support:
 * each atom's probability is split between its two neighbours in proportion to closeness
 * (Bellemare et al. 2017, Algorithm 1). Returns [batch × atoms] row-major target probabilities.
 */
export function projectDistribution(support: CategoricalSupport, target: BellmanTarget): Float32Array {
  const { atoms, vMin, vMax, delta, values } = support;
  const batch = target.rewards.length;
  if (target.probabilities.length !== batch * atoms) {
    throw new RangeError(
      `projectDistribution needs ${batch}×${atoms} probabilities for ${batch} rewards, got ${target.probabilities.length}`,
    );
  }
  const projected = new Float32Array(batch * atoms);
  for (let row = 0; row < batch; row++) {
    const scale = (1 - target.dones[row]!) * target.discounts[row]!;
    const reward = target.rewards[row]!;
    const offset = row * atoms;
    for (let j = 0; j < atoms; j++) {
      const probability = target.probabilities[offset + j]!;
      const shifted = Math.min(vMax, Math.max(vMin, reward + scale * values[j]!));
      // Clamped so float error at the edges cannot index past the support.
      const position = Math.min(atoms - 1, Math.max(0, (shifted - vMin) / delta));
      const lower = Math.floor(position);
      const upper = Math.ceil(position);
      if (lower === upper) {
        projected[offset + lower] = projected[offset + lower]! + probability;
      } else {
        projected[offset + lower] = projected[offset + lower]! + probability * (upper - position);
        projected[offset + upper] = projected[offset + upper]! + probability * (position - lower);
      }
    }
  }
  return projected;
}
