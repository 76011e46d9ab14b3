import type { Agent, Logger } from "@cca/core";
import type { AgentRepository } from "@cca/memory";

/** How long an agent's changes gather before its record is written: the last one wins. */
export const AGENT_WRITE_BATCH_MS = 50;

/**
 * Keeps the agents' records in the database as they change, in order per agent, without
 * making the agent manager wait: a failed write is logged and the next change writes the
 * whole record again. Changes within `batchMs` of the first are one write of the last (a
 * turn's busy, tool calls, totals and ready are one write, not five, on the one database
 * connection that tasks also wait for); `keep` and `flush` write what is pending at once.
 */
export class AgentRecords {
  readonly #repository: AgentRepository;
  readonly #daemon: string;
  readonly #logger: Logger;
  readonly #batchMs: number;
  readonly #writes = new Map<string, Promise<void>>();
  /** Each agent's latest record not yet handed to a write, and the timer that will. */
  readonly #pending = new Map<string, { agent: Agent; timer: NodeJS.Timeout }>();

  constructor(options: { repository: AgentRepository; daemon: string; logger: Logger; batchMs?: number }) {
    this.#repository = options.repository;
    this.#daemon = options.daemon;
    this.#logger = options.logger;
    this.#batchMs = options.batchMs ?? AGENT_WRITE_BATCH_MS;
  }

  /** Queues a write of the agent's current record (within `batchMs`, with any later change). */
  save(agent: Agent): void {
    const pending = this.#pending.get(agent.id);
    if (pending) {
      pending.agent = agent;
      return;
    }
    const timer = setTimeout(() => void this.#writePending(agent.id), this.#batchMs);
    timer.unref();
    this.#pending.set(agent.id, { agent, timer });
  }

  /** Marks the agent's conversation resumable, after its pending writes. */
  keep(agentId: string): Promise<void> {
    void this.#writePending(agentId);
    return this.#chain(agentId, async () => {
      await this.#repository.markResumable(agentId);
    });
  }

  /** Takes the most recent resumable conversation of `role`, if any: its agent's last record. */
  async take(role: string, project: string | null): Promise<Agent | undefined> {
    return this.#repository.takeResumable(role, project).catch((error: unknown) => {
      this.#logger.warn("could not look for a conversation to resume", { role, error: String(error) });
      return undefined;
    });
  }

  /** Writes what is pending now, and resolves once every write so far is done (or failed). */
  async flush(): Promise<void> {
    for (const agentId of [...this.#pending.keys()]) void this.#writePending(agentId);
    await Promise.all([...this.#writes.values()]);
  }

  /** Hands the agent's pending record, if any, to a write in its order. */
  #writePending(agentId: string): Promise<void> {
    const pending = this.#pending.get(agentId);
    if (!pending) return this.#writes.get(agentId) ?? Promise.resolve();
    clearTimeout(pending.timer);
    this.#pending.delete(agentId);
    return this.#chain(agentId, () => this.#repository.save(pending.agent, this.#daemon));
  }

  #chain(agentId: string, write: () => Promise<void>): Promise<void> {
    const next = (this.#writes.get(agentId) ?? Promise.resolve())
      .then(write)
      .catch((error: unknown) =>
        this.#logger.warn("could not store an agent's record", { agent: agentId, error: String(error) }),
      );
    this.#writes.set(agentId, next);
    void next.then(() => {
      if (this.#writes.get(agentId) === next) this.#writes.delete(agentId);
    });
    return next;
  }
}
