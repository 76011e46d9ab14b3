import type { StatusLineEvent } from "./hook-events.js";

/** How long a turn's end waits for the status line that carries its cost. */
export const STATUS_LINE_WAIT_MS = 1_500;

/**
 * Claude Code's own running cost of one TUI process (it reports cost nowhere else in the
 * TUI), from each status line it computes, so a turn's share is the difference between the
 * total at its start and the first total after its end. A status line that was on its way
 * when the turn ended may still miss the last call; its cost then counts in the next turn.
 */
export class CostMeter {
  #total = 0;
  #waiters = new Set<() => void>();

  get total(): number {
    return this.#total;
  }

  observe(status: StatusLineEvent): void {
    const total = status.cost?.total_cost_usd;
    if (total !== undefined) this.#total = Math.max(this.#total, total);
    for (const wake of this.#waiters) wake();
  }

  /** The total once the next status line arrives, or as it is after `deadlineMs`. */
  async next(deadlineMs = STATUS_LINE_WAIT_MS): Promise<number> {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, deadlineMs);
      timer.unref();
      this.#waiters.add(wake);
    });
    return this.#total;
  }
}

/** The status line an attached person sees: whose agent it is, its model, cost so far and context used. */
export function statusLineText(label: string, status: StatusLineEvent): string {
  const parts = [label];
  const model = status.model?.display_name ?? status.model?.id;
  if (model) parts.push(model);
  if (status.cost) parts.push(`$${status.cost.total_cost_usd.toFixed(4)}`);
  const used = status.context_window?.used_percentage;
  if (typeof used === "number") parts.push(`context ${Math.round(used)}%`);
  return parts.join(" · ");
}
