import type { Agent, Logger, StateStore } from "@cca/core";

const KEY_PREFIX = "agent:";

/**
 * The agents of every daemon that shares work, in the shared store: each daemon writes its
 * own agents' records with a time to live and renews them, so a daemon that dies drops
 * out of the registry by itself.
 */
export class AgentRegistry {
  readonly #store: StateStore;
  readonly #daemon: string;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: { store: StateStore; daemon: string; ttlMs: number; logger: Logger }) {
    this.#store = options.store;
    this.#daemon = options.daemon;
    this.#ttlMs = options.ttlMs;
    this.#logger = options.logger;
  }

  /** This daemon's name in the registry. */
  get daemon(): string {
    return this.#daemon;
  }

  /** Writes (or renews) one agent's record, marked with this daemon's name. */
  publish(agent: Agent): void {
    this.#store
      .set(`${KEY_PREFIX}${agent.id}`, { ...agent, daemon: this.#daemon }, { ttlMs: this.#ttlMs })
      .catch((error: unknown) => this.#logger.warn("could not publish an agent to the registry", { error }));
  }

  /** Renews `agents()`' records well before they expire, until `stop()`. */
  start(agents: () => Agent[]): void {
    this.#timer ??= setInterval(
      () => {
        for (const agent of agents()) this.publish(agent);
      },
      Math.max(50, Math.floor(this.#ttlMs / 3)),
    );
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Every daemon's agents, oldest first. */
  async list(): Promise<Agent[]> {
    const keys = await this.#store.keys(KEY_PREFIX);
    const agents = await Promise.all(keys.map((key) => this.#store.get<Agent>(key)));
    return agents
      .filter((agent): agent is Agent => agent !== undefined)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  async get(id: string): Promise<Agent | undefined> {
    return this.#store.get<Agent>(`${KEY_PREFIX}${id}`);
  }
}
