// Test support: an agent manager whose drivers have no process behind them; the test ends
// their turns, makes them crash, and waits for the records the manager reports.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ActivityEvent,
  type Agent,
  type AgentState,
  CcaError,
  type ConfigInput,
  InMemoryEventBus,
  parseConfig,
} from "@cca/core";
import { ActivityLog } from "../../activity/activity-log.js";
import {
  type AgentDriver,
  type AgentDriverEvent,
  type AgentDriverEvents,
  type AgentDriverFactory,
  DriverEventEmitter,
  type DriverLaunch,
  type TurnResult,
} from "../agent-driver.js";
import { AgentManager, type AgentManagerOptions } from "../agent-manager.js";
import { RoleCatalog } from "../role-catalog.js";

/** A driver with no process behind it: the test ends its turns and its exit. */
export class FakeDriver implements AgentDriver {
  readonly kind = "headless";
  readonly terminal = null;
  readonly launch: DriverLaunch;
  readonly prompts: string[] = [];
  pid: number | null = null;
  sessionId: string | null = null;
  exited = false;
  readonly #events = new DriverEventEmitter();
  /** The pid it takes once started. */
  readonly #pid: number;
  #turn: { resolve: (result: TurnResult) => void; reject: (error: Error) => void } | null = null;

  constructor(launch: DriverLaunch, pid: number) {
    this.launch = launch;
    this.#pid = pid;
  }

  get busy(): boolean {
    return this.#turn !== null;
  }

  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  emit<E extends AgentDriverEvent>(event: E, ...args: Parameters<AgentDriverEvents[E]>): void {
    this.#events.emit(event, ...args);
  }

  async start(): Promise<void> {
    this.pid = this.#pid;
    this.emit("state", "ready");
  }

  sendTurn(prompt: string): Promise<TurnResult> {
    this.prompts.push(prompt);
    this.emit("state", "busy");
    return new Promise((resolve, reject) => {
      this.#turn = { resolve, reject };
    });
  }

  /** Ends the running turn as Claude Code would, with `text` and 10 + 5 tokens. */
  endTurn(text: string): void {
    const usage = {
      input_tokens: 10,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cost_usd: 0.01,
    };
    this.emit("usage", usage);
    this.emit("state", "ready");
    const end = this.#turn;
    this.#turn = null;
    end?.resolve({
      subtype: "success",
      isError: false,
      text,
      sessionId: this.launch.sessionId,
      numTurns: 1,
      durationMs: 1,
      usage,
      totalCostUsd: 0.01,
      apiErrorStatus: null,
      permissionDenials: [],
      interrupted: false,
    });
  }

  async interrupt(): Promise<boolean> {
    return true;
  }

  /** Ends the process unexpectedly, as a crash does: the running turn rejects with `agent_crashed`. */
  crash(code: number): void {
    this.exited = true;
    const turn = this.#turn;
    this.#turn = null;
    turn?.reject(new CcaError("agent_crashed", `Claude Code exited with code ${code} during the turn`));
    this.emit("state", "exited");
    this.emit("exit", { code, signal: null, stderrTail: "" });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.exited = true;
    this.emit("state", "exited");
    this.emit("exit", { code: 0, signal: null, stderrTail: "" });
  }
}

export interface Harness {
  manager: AgentManager;
  drivers: FakeDriver[];
  kept: string[];
  /** The activity events recorded so far. */
  events: ActivityEvent[];
  /** Calls `listener` with each agent that becomes ready from now on (told through `onChange`). */
  onReady(listener: (agent: Agent) => void): void;
  /** Resolves with the agent's record once it reaches `state` (told through `onChange`). */
  reaches(id: string, state: AgentState): Promise<Agent>;
}

/**
 * An agent manager on fake drivers (max 2 agents unless `maxAgents` says otherwise); `cleanups`
 * gets its teardown.
 */
export function createHarness(
  cleanups: (() => Promise<void> | void)[],
  options: Partial<AgentManagerOptions> & { configInput?: ConfigInput } = {},
): Harness {
  const workRoot = mkdtempSync(join(tmpdir(), "cca-agents-"));
  const config = parseConfig(options.configInput ?? {}).agents;
  const drivers: FakeDriver[] = [];
  const kept: string[] = [];
  const waiters = new Set<(agent: Agent) => void>();
  const activity = new ActivityLog({ bus: new InMemoryEventBus(), capacity: 10_000 });
  const createDriver: AgentDriverFactory = (launch) => {
    const driver = new FakeDriver(launch, process.pid);
    drivers.push(driver);
    return driver;
  };
  const manager = new AgentManager({
    config,
    createDriver,
    maxAgents: 2,
    stopGraceMs: 100,
    catalog: new RoleCatalog(config),
    activity,
    workRoot,
    conversations: {
      keep: async (agentId) => {
        kept.push(agentId);
      },
      take: async () => undefined,
    },
    onChange: (agent) => {
      for (const wake of [...waiters]) wake(agent);
    },
    ...options,
  });
  cleanups.push(async () => {
    await manager.stopAll();
    rmSync(workRoot, { recursive: true, force: true });
  });
  return {
    manager,
    drivers,
    kept,
    get events() {
      return activity.recent(10_000);
    },
    onReady: (listener) => {
      waiters.add((agent) => {
        if (agent.state === "ready") listener(agent);
      });
    },
    reaches: (id, state) =>
      new Promise((resolve) => {
        const wake = (agent: Agent) => {
          if (agent.id !== id || agent.state !== state) return;
          waiters.delete(wake);
          resolve(agent);
        };
        waiters.add(wake);
      }),
  };
}

/** Runs one turn that the fake driver ends with "done". */
export async function runOneTurn(harness: Harness, taskId: string): Promise<Agent> {
  const agent = await harness.manager.reserve("backend", taskId);
  const turn = harness.manager.runTurn(agent.id, taskId, "do it");
  harness.drivers.at(-1)!.endTurn("done");
  await turn;
  harness.manager.release(agent.id);
  return agent;
}
