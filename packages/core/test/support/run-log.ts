import type { RunHandler, RunOutcome, ScheduledRun } from "../../src/scheduler/task-scheduler.js";
import { Collector } from "./collector.js";
import { within } from "./wait.js";

/** What a RunLog handler does with one hand-out: return an outcome, reject, or wait for `release`. */
export type Step = RunOutcome | "reject" | "hold";

/**
 * A scheduler handler that records every run and does what the test planned for each
 * hand-out of a task (by default: "ended" at once).
 */
export class RunLog {
  readonly #runs = new Collector<ScheduledRun>();
  /** `start <taskId>` and `end <taskId>`, in the order they happened. */
  readonly events: string[] = [];
  readonly #plans = new Map<string, Step[]>();
  readonly #held = new Map<string, (outcome: RunOutcome) => void>();
  readonly #watchers: { taskId: string; resolve: (run: ScheduledRun) => void }[] = [];

  /** Every run so far. */
  get runs(): ScheduledRun[] {
    return this.#runs.messages;
  }

  /** What to do on the first, second, … hand-out of `taskId`; later ones end at once. */
  plan(taskId: string, ...steps: Step[]): void {
    this.#plans.set(taskId, steps);
  }

  readonly handler: RunHandler = async (run) => {
    this.events.push(`start ${run.taskId}`);
    this.#runs.handler(run);
    for (const watcher of this.#watchers.filter((each) => each.taskId === run.taskId)) {
      this.#watchers.splice(this.#watchers.indexOf(watcher), 1);
      watcher.resolve(run);
    }
    const step = this.#plans.get(run.taskId)?.shift() ?? "ended";
    try {
      if (step === "reject") throw new Error(`the handler fails ${run.taskId} on purpose`);
      if (step === "hold") {
        return await new Promise<RunOutcome>((resolve) => this.#held.set(run.taskId, resolve));
      }
      return step;
    } finally {
      this.events.push(`end ${run.taskId}`);
    }
  };

  /** Lets a held run of `taskId` return `outcome`. */
  release(taskId: string, outcome: RunOutcome = "ended"): void {
    const resolve = this.#held.get(taskId);
    if (!resolve) throw new Error(`No run of ${taskId} is held; held: ${[...this.#held.keys()].join(", ")}`);
    this.#held.delete(taskId);
    resolve(outcome);
  }

  /** Ends every held run, so a failed test can still stop its schedulers. */
  releaseAll(): void {
    for (const taskId of [...this.#held.keys()]) this.release(taskId);
  }

  /** Resolves with the first run of `taskId` (at once if it ran already); fails after `timeoutMs`. */
  async untilRan(taskId: string, timeoutMs = 10_000): Promise<ScheduledRun> {
    const done = this.runs.find((run) => run.taskId === taskId);
    if (done) return done;
    return await within(
      new Promise<ScheduledRun>((resolve) => this.#watchers.push({ taskId, resolve })),
      timeoutMs,
      () => `a run of ${taskId}; runs so far: ${JSON.stringify(this.runs)}`,
    );
  }

  /** Resolves with the runs once `count` happened; fails after `timeoutMs` saying what it saw. */
  until(count: number, timeoutMs = 10_000): Promise<ScheduledRun[]> {
    return this.#runs.until(count, timeoutMs);
  }
}
