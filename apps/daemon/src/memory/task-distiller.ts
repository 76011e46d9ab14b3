import { type Logger, type TaskTree, type TokenUsage, totalTokens } from "@cca/core";
import type { ReasoningBank } from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import type { TurnOutcome } from "../agents/agent-driver.js";
import {
  asksVerdict,
  type DistillationRequest,
  distillationPrompt,
  distillationSchema,
  kindFor,
  parseDistillation,
} from "./distillation.js";
import { treeIds } from "./tree-ids.js";

/** How many ended tasks may wait for the distiller; past it the oldest waiting one is skipped. */
const DEFAULT_MAX_WAITING = 100;
/** How much of the judge's reason an activity line shows. */
const REASON_LIMIT = 120;

export interface TaskDistillerOptions {
  bank: Pick<ReasoningBank, "add" | "recordOutcome">;
  /** The ended task with its parts. */
  tree(taskId: string): Promise<TaskTree>;
  /** Adds the distiller's tokens to the task's own (they count like any other), with the model they were spent on. */
  charge(taskId: string, usage: TokenUsage, model: string | null): Promise<void>;
  /** Runs the distiller's turn (a cheap model, no tools) with this prompt and answer schema. */
  runTurn(prompt: string, schema: Record<string, unknown>, signal: AbortSignal): Promise<TurnOutcome>;
  /** `memory.judge = "llm"`: the same turn also judges whether a completed task succeeded. */
  judge: boolean;
  activity: Pick<ActivityLog, "record">;
  logger: Logger;
  maxWaiting?: number;
}

/** What one distillation did, for its activity line and for tests. */
export interface DistillationOutcome {
  taskId: string;
  stored: string[];
  /** Of `stored`, the items a lesson merged into (an item the bank already had). */
  merged: string[];
  verdict: { success: boolean; reason: string } | null;
  usage: TokenUsage;
}

/**
 * The ReasoningBank's distiller: after a top-level task ends, one cheap turn reads it and
 * writes up to 3 lessons (strategies from a success, guardrails from a failure), which the
 * bank stores, merging near-duplicates. With the LLM judge, the same turn's verdict on a
 * completed task counts as its outcome (a person's feedback still outweighs it). Tasks are
 * distilled one at a time, off their critical path; a failure costs the lessons, never a task.
 */
export class TaskDistiller {
  readonly #options: TaskDistillerOptions;
  readonly #waiting: string[] = [];
  readonly #abort = new AbortController();
  #running: Promise<void> | null = null;
  #closed = false;
  readonly #idleWaiters: (() => void)[] = [];

  constructor(options: TaskDistillerOptions) {
    this.#options = options;
  }

  /** Distils the ended task later; returns at once. */
  enqueue(taskId: string): void {
    if (this.#closed) return;
    this.#waiting.push(taskId);
    const max = this.#options.maxWaiting ?? DEFAULT_MAX_WAITING;
    if (this.#waiting.length > max) {
      const skipped = this.#waiting.shift();
      this.#options.logger.warn("too many tasks wait for the distiller; the oldest goes undistilled", {
        task: skipped,
        waiting: max,
      });
    }
    this.#running ??= this.#drain();
  }

  /** Resolves once no task waits or is being distilled. */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops the running turn, forgets the waiting tasks, and resolves once the drain has ended. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#abort.abort();
    await this.idle();
  }

  async #drain(): Promise<void> {
    for (let taskId = this.#waiting.shift(); taskId; taskId = this.#waiting.shift()) {
      try {
        await this.distil(taskId);
      } catch (error) {
        if (!this.#closed) {
          this.#options.logger.warn("could not distil a task into the memory", { task: taskId, error });
          this.#options.activity.record("memory.distill_failed", {
            task_id: taskId,
            summary: `could not distil the task: ${oneLine(error instanceof Error ? error.message : String(error), REASON_LIMIT)}`,
          });
        }
      }
    }
    this.#running = null;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** Distils one ended task now (enqueue is the way in; this is public for tests). */
  async distil(taskId: string): Promise<DistillationOutcome | null> {
    const { bank, logger } = this.#options;
    const tree = await this.#options.tree(taskId);
    if (tree.status !== "completed" && tree.status !== "failed") return null;
    const request: DistillationRequest = { tree, judge: this.#options.judge };
    const turn = await this.#options.runTurn(
      distillationPrompt(request),
      distillationSchema(request),
      this.#abort.signal,
    );
    // A one-shot process's running total is this turn's cost.
    const usage = { ...turn.usage, cost_usd: turn.totalCostUsd };
    await this.#options.charge(taskId, usage, turn.model ?? null);
    if (turn.isError) throw new Error(`the distiller's turn failed: ${turn.text || turn.subtype}`);
    const distillation = parseDistillation(turn.structuredOutput ?? jsonOrNull(turn.text), request);
    if (distillation.dropped > 0) {
      logger.warn("the distiller gave lessons that do not fit; they were dropped", {
        task: taskId,
        dropped: distillation.dropped,
      });
    }
    const { verdict } = distillation;
    if (verdict) await bank.recordOutcome(treeIds(tree), verdict.success, "llm");
    const success = verdict?.success ?? tree.status === "completed";
    const stored: string[] = [];
    const merged: string[] = [];
    for (const item of distillation.items) {
      const kept = await bank.add({
        ...item,
        kind: kindFor(success),
        project_dir: tree.project,
        source_task_ids: [taskId],
      });
      stored.push(kept.id);
      if (kept.source_task_ids.some((id) => id !== taskId)) merged.push(kept.id);
    }
    const outcome = { taskId, stored, merged, verdict, usage };
    this.#options.activity.record("memory.distilled", {
      task_id: taskId,
      summary: summaryOf(outcome, request),
    });
    return outcome;
  }
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** e.g. "distilled 2 strategies (1 merged into earlier items); judged a success: …; 812 tokens". */
function summaryOf(outcome: DistillationOutcome, request: DistillationRequest): string {
  const count = outcome.stored.length;
  const success = outcome.verdict?.success ?? request.tree.status === "completed";
  const noun = success ? (count === 1 ? "strategy" : "strategies") : count === 1 ? "guardrail" : "guardrails";
  const items = count === 0 ? "distilled nothing worth keeping" : `distilled ${count} ${noun}`;
  const merged = outcome.merged.length > 0 ? ` (${outcome.merged.length} merged into earlier items)` : "";
  const verdict = !asksVerdict(request)
    ? ""
    : outcome.verdict
      ? `; judged ${outcome.verdict.success ? "a success" : "a failure"}: ${oneLine(outcome.verdict.reason, REASON_LIMIT)}`
      : "; the judge gave no verdict";
  return `${items}${merged}${verdict}; ${totalTokens(outcome.usage)} tokens`;
}
