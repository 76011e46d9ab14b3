import { hostname } from "node:os";
import type { Logger, TaskScheduler } from "@cca/core";
import type {
  AgentRepository,
  ApprovalRepository,
  ContextReadRepository,
  DaemonRepository,
  SnapshotRepository,
  TokenUsageRepository,
} from "@cca/memory";
import { endOrphanedAgents } from "../agents/orphans.js";
import { scheduleEntry } from "./schedule-entry.js";
import type { TaskExecution } from "./task-execution.js";
import type { TaskRecords } from "./task-records.js";

export interface RecoveryOptions {
  records: TaskRecords;
  execution: TaskExecution;
  scheduler: TaskScheduler;
  agents: AgentRepository;
  daemons: DaemonRepository;
  /** Pending approvals, ended with the daemons whose agents asked them. */
  approvals: Pick<ApprovalRepository, "cancelOfDaemons">;
  snapshots: SnapshotRepository;
  snapshotsPerAgent: number;
  /** A daemon unseen for longer is gone, and its work is taken over. */
  staleMs: number;
  /** How often to look: re-queue, take over, heartbeat. */
  intervalMs: number;
  /** How often to look for cancels of tasks running here that other daemons recorded. */
  cancelWatchMs: number;
  /** Ended tasks, stopped agents and turns' token records older than this are deleted; 0 keeps everything. */
  retentionMs: number;
  tokens?: Pick<TokenUsageRepository, "deleteBefore">;
  /** The files agents read, deleted with the turns. */
  reads?: Pick<ContextReadRepository, "deleteBefore">;
  logger: Logger;
}

const RETENTION_EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps the scheduler in line with the repository, the truth: puts every queued task and
 * part in line (entries a restarted Redis lost, or a restarted daemon never had), and those
 * that were running on daemons that are gone; takes over the agents of those daemons;
 * applies cancels recorded by other daemons, and deletes what outlived the retention.
 * Every step is safe to repeat.
 */
export class Recovery {
  readonly #options: RecoveryOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #lastRetention = 0;
  #passing: Promise<void> | null = null;

  constructor(options: RecoveryOptions) {
    this.#options = options;
  }

  /** One pass now; the errors of a dependency that is down are logged, not thrown. */
  async reconcile(): Promise<void> {
    this.#passing ??= this.#pass().finally(() => {
      this.#passing = null;
    });
    return this.#passing;
  }

  start(): void {
    const every = (ms: number, run: () => Promise<void>) => {
      const timer = setInterval(() => void run(), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#options.intervalMs, () => this.reconcile());
    every(this.#options.cancelWatchMs, () => this.#applyCancels());
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    await this.#passing;
  }

  async #pass(): Promise<void> {
    const { records, scheduler, logger } = this.#options;
    try {
      await this.#options.daemons.heartbeat(records.owner);
      // Oldest first, so a task is back in line before its parts are linked to it.
      const unfinished = await records.repository.unfinished();
      const gone = await this.#goneDaemons(
        unfinished.flatMap((state) => [state.owner, state.brief?.daemon ?? null]),
      );
      if (gone.size > 0) await this.#takeOver(gone);
      for (const { task, owner, brief } of unfinished) {
        const pinnedTo = brief?.daemon ?? null;
        const orphaned = task.status === "running" && owner !== null && gone.has(owner);
        if (task.status !== "queued" && !orphaned) continue;
        // A message whose agent's daemon is gone has nobody to take it, queued or cut short.
        if (pinnedTo !== null && gone.has(pinnedTo)) {
          await this.#failUndeliverable(task.id, brief?.agentId ?? "?", pinnedTo);
          continue;
        }
        await scheduler.enqueue(scheduleEntry(task, pinnedTo));
      }
      await this.#retention();
    } catch (error) {
      logger.warn("could not reconcile the task line with the repository; trying again soon", {
        error: (error as Error).message,
      });
    }
  }

  async #goneDaemons(taskOwners: (string | null)[]): Promise<Set<string>> {
    const { records, agents, daemons, staleMs } = this.#options;
    const names = [...taskOwners, ...(await agents.liveDaemons())].filter(
      (name): name is string => name !== null && name !== records.owner,
    );
    return daemons.gone(names, { hostname: hostname(), staleMs });
  }

  /** The agents of gone daemons: their processes left on this host are ended, and their conversations become resumable. */
  async #takeOver(gone: Set<string>): Promise<void> {
    const { agents, logger } = this.#options;
    const owners = [...gone];
    endOrphanedAgents(await agents.liveAgentsOf(owners), logger);
    const ended = await agents.endLiveAgentsOf(owners);
    const cancelled = await this.#options.approvals.cancelOfDaemons(owners, new Date());
    if (cancelled > 0)
      logger.info("approvals of stopped daemons cancelled", { daemons: owners, approvals: cancelled });
    if (ended > 0)
      logger.info("agents of stopped daemons can be resumed", { daemons: owners, agents: ended });
  }

  /** A message that waited for an agent whose daemon has gone: nobody can take it. */
  async #failUndeliverable(taskId: string, agentId: string, daemon: string): Promise<void> {
    await this.#options.records.finish(
      taskId,
      "failed",
      {
        error: {
          code: "agent_stopped",
          message: `Agent ${agentId} ran on daemon ${daemon}, which has stopped, so this message cannot reach it; list the live agents with GET /api/v1/agents (cca agent list) and send it to one of them`,
        },
      },
      ["queued", "running"],
    );
  }

  async #applyCancels(): Promise<void> {
    const { execution, records, logger } = this.#options;
    const running = execution.runningIds();
    if (running.length === 0) return;
    try {
      for (const id of await records.repository.cancelRequested(running)) {
        execution
          .stop(id, "cancel")
          .catch((error: unknown) => logger.warn("could not cancel", { task: id, error }));
      }
    } catch (error) {
      logger.debug("could not look for cancel requests", { error: (error as Error).message });
    }
  }

  async #retention(): Promise<void> {
    const { retentionMs, records, agents, daemons, snapshots, logger } = this.#options;
    const now = Date.now();
    if (now - this.#lastRetention < RETENTION_EVERY_MS) return;
    this.#lastRetention = now;
    const cutoff = retentionMs > 0 ? new Date(now - retentionMs) : null;
    const pruned = await snapshots.prune({
      keepPerAgent: this.#options.snapshotsPerAgent,
      ...(cutoff ? { olderThan: cutoff } : {}),
    });
    if (!cutoff) return;
    const tasks = await records.repository.deleteEndedBefore(cutoff);
    const stopped = await agents.deleteStoppedBefore(cutoff);
    await daemons.deleteUnseenBefore(cutoff);
    const turns = (await this.#options.tokens?.deleteBefore(cutoff)) ?? 0;
    const reads = (await this.#options.reads?.deleteBefore(cutoff)) ?? 0;
    if (tasks + stopped + pruned + turns + reads > 0) {
      logger.info("deleted records past their retention", {
        tasks,
        agents: stopped,
        snapshots: pruned,
        token_turns: turns,
        file_reads: reads,
      });
    }
  }
}
