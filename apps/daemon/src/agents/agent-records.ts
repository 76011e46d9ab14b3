import type { Agent, Logger } from "@cca/core";
import type { AgentRepository } from "@cca/memory";

/**
 * Keeps the agents' records in the database as they change, in order per agent, without
 * making the agent manager wait: a failed write is logged and the next change writes the
 * whole record again.
 */
export class AgentRecords {
  readonly #repository: AgentRepository;
  readonly #daemon: string;
  readonly #logger: Logger;
  readonly #writes = new Map<string, Promise<void>>();

  constructor(options: { repository: AgentRepository; daemon: string; logger: Logger }) {
    this.#repository = options.repository;
    this.#daemon = options.daemon;
    this.#logger = options.logger;
  }

  /** Queues a write of the agent's current record. */
  save(agent: Agent): void {
    this.#chain(agent.id, () => this.#repository.save(agent, this.#daemon));
  }

  /** Marks the agent's conversation resumable, after its pending writes. */
  keep(agentId: string): Promise<void> {
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

  /** Resolves once every write queued so far is done (or failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.#writes.values()]);
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
