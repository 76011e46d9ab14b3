import { isTerminalStatus, type Logger, type Task, type TaskDelivery } from "@cca/core";
import type { ClusterOptions } from "./orchestrator.js";

/** How long one claim on the shared queue blocks before the loop looks again. */
const CLAIM_BLOCK_MS = 1_000;

/**
 * Takes top-level tasks from the shared queue, one at a time, for a daemon that shares
 * work: skips tasks that already ended (a redelivery after their daemon died between
 * storing the end and acknowledging it), renews the claim while a task runs, and
 * acknowledges only once the end is stored, so a task is never lost and never completed twice.
 */
export class ClusterWorker {
  readonly #cluster: ClusterOptions;
  readonly #run: (task: Task) => Promise<"ended" | "requeued">;
  readonly #logger: Logger;
  #loop: Promise<void> | null = null;
  #stopped = false;

  constructor(options: {
    cluster: ClusterOptions;
    run: (task: Task) => Promise<"ended" | "requeued">;
    logger: Logger;
  }) {
    this.#cluster = options.cluster;
    this.#run = options.run;
    this.#logger = options.logger;
  }

  start(): void {
    this.#loop ??= this.#claimLoop();
  }

  /** Stops claiming; resolves when the current task (already being stopped by the daemon) is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async #claimLoop(): Promise<void> {
    const { queue, consumer } = this.#cluster;
    while (!this.#stopped) {
      let delivery: TaskDelivery | undefined;
      const startedAt = Date.now();
      try {
        delivery = await queue.claimNext(consumer, { blockMs: CLAIM_BLOCK_MS });
        // A queue that answers "nothing" at once must not turn this loop into a busy spin.
        const early = CLAIM_BLOCK_MS - (Date.now() - startedAt);
        if (!delivery && early > 0) await new Promise((resolve) => setTimeout(resolve, early).unref());
      } catch (error) {
        if (this.#stopped) return;
        this.#logger.error("could not claim from the shared queue; retrying", { error });
        await new Promise((resolve) => setTimeout(resolve, CLAIM_BLOCK_MS));
        continue;
      }
      // A delivery claimed while stopping is left unacknowledged: another daemon takes it over.
      if (delivery && !this.#stopped) await this.#runDelivery(delivery);
    }
  }

  async #runDelivery(delivery: TaskDelivery): Promise<void> {
    const { replica, heartbeatMs } = this.#cluster;
    const id = delivery.entry.taskId;
    const task = await replica.fetch(id).catch(() => null);
    if (!task || isTerminalStatus(task.status)) {
      await delivery.ack();
      return;
    }
    if (delivery.deliveryCount > 1) {
      this.#logger.warn("taking over a task whose daemon stopped answering", {
        task: id,
        delivery: delivery.deliveryCount,
      });
    }
    const heartbeat = setInterval(() => void delivery.heartbeat().catch(() => false), heartbeatMs);
    let outcome: "ended" | "requeued";
    try {
      outcome = await this.#run(task);
    } finally {
      clearInterval(heartbeat);
    }
    await replica.flush(id);
    if (outcome === "ended") await delivery.ack();
  }
}
