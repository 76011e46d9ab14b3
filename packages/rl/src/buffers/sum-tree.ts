// A sum tree: leaf priorities with O(log n) update and prefix-sum search, for prioritized replay.

export class SumTree {
  private readonly tree: Float64Array;
  private readonly leaves: number;

  constructor(readonly capacity: number) {
    let leaves = 1;
    while (leaves < capacity) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Float64Array(2 * leaves);
  }

  get total(): number {
    return this.tree[1]!;
  }

  get(index: number): number {
    return this.tree[this.leaves + index]!;
  }

  set(index: number, priority: number): void {
    if (!(priority >= 0) || !Number.isFinite(priority))
      throw new RangeError(`Priority must be finite and >= 0, got ${priority}`);
    let node = this.leaves + index;
    this.tree[node] = priority;
    for (node >>= 1; node >= 1; node >>= 1) this.tree[node] = this.tree[2 * node]! + this.tree[2 * node + 1]!;
  }

  /** The leaf where the running sum of priorities first exceeds `mass` (0 ≤ mass < total). */
  find(mass: number): number {
    let node = 1;
    let remaining = mass;
    while (node < this.leaves) {
      const left = 2 * node;
      if (remaining < this.tree[left]! || this.tree[left + 1] === 0) node = left;
      else {
        remaining -= this.tree[left]!;
        node = left + 1;
      }
    }
    return Math.min(node - this.leaves, this.capacity - 1);
  }
}
