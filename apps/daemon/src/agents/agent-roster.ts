import { ACTIVE_STATES, type ManagedAgent } from "./managed-agent.js";

/**
 * The agents the manager tracks, by id, and the slots (`daemon.max_agents`) they hold: one
 * for each live agent, and one for each agent still being started (not yet listed).
 */
export class AgentRoster {
  readonly #agents = new Map<string, ManagedAgent>();
  #starting = 0;

  get(id: string): ManagedAgent | undefined {
    return this.#agents.get(id);
  }

  has(id: string): boolean {
    return this.#agents.has(id);
  }

  values(): IterableIterator<ManagedAgent> {
    return this.#agents.values();
  }

  /** Lists the agent under its id, in the place of any earlier self (a restart). */
  set(agent: ManagedAgent): void {
    this.#agents.set(agent.record.id, agent);
  }

  /** Whether the agent is the one listed under its id, not an earlier self a restart replaced. */
  isCurrent(agent: ManagedAgent): boolean {
    return this.#agents.get(agent.record.id) === agent;
  }

  /** Takes the agent off the list, unless a later self took its place. */
  remove(agent: ManagedAgent): void {
    if (this.isCurrent(agent)) this.#agents.delete(agent.record.id);
  }

  /** Holds a slot for an agent being started but not yet listed; call the returned function to let go. */
  holdSlot(): () => void {
    this.#starting += 1;
    return () => {
      this.#starting -= 1;
    };
  }

  /** How many agents are being started but not yet listed. */
  get starting(): number {
    return this.#starting;
  }

  /** How many slots are held: agents alive (starting, ready or busy) and those being started. */
  get activeCount(): number {
    return this.#starting + this.active().length;
  }

  /** The listed agents that hold a slot (ACTIVE_STATES). */
  active(): ManagedAgent[] {
    return [...this.#agents.values()].filter((agent) => ACTIVE_STATES.has(agent.record.state));
  }

  /** The agents ready for a task. */
  idle(): ManagedAgent[] {
    return [...this.#agents.values()].filter((agent) => agent.record.state === "ready");
  }
}
