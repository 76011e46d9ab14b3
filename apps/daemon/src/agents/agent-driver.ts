import type { AgentDriverKind, Logger, TokenUsage } from "@cca/core";
import type { PtySession } from "@cca/pty";
import type { AgentMcp } from "./launch-args.js";
import type { RoleProfile } from "./role-catalog.js";

/** What ended a turn, as Claude Code reports it. */
export interface TurnOutcome {
  subtype: string;
  isError: boolean;
  text: string;
  sessionId: string | null;
  numTurns: number | null;
  durationMs: number | null;
  /** Token counts of this turn; the driver fills in its cost (Claude Code reports a running total). */
  usage: TokenUsage;
  /** The process's cost so far (`total_cost_usd`). */
  totalCostUsd: number;
  apiErrorStatus: number | null;
  /** The tools Claude Code refused to run in this turn, by name. */
  permissionDenials: string[];
  /** With `--json-schema`: the structured answer, as the model gave it (the reader checks it). */
  structuredOutput?: unknown;
  /** The model the process's turns ran on, where Claude Code said (`modelUsage`). */
  model?: string | null;
  /** Of the turn's cache writes, the 5-minute and 1-hour ones, where Claude Code told them apart. */
  cacheWrites?: { fiveMinute: number; oneHour: number };
  /** The process's tokens so far, over all its models (`modelUsage`), where Claude Code said. */
  processTokens?: TokenUsage;
  /** The context the turn's last request sent (its whole input), where the driver saw it. */
  contextTokens?: number | null;
  /** The smallest context any request of the turn sent: with the first turn's, the fixed part (tools, system prompt). */
  smallestContextTokens?: number | null;
  /** When Claude Code compacted the conversation in this turn: its context before and after. */
  compacted?: { preTokens: number; postTokens: number } | null;
}

/** The outcome of one turn, with this turn's own cost. */
export interface TurnResult extends TurnOutcome {
  usage: TokenUsage;
  interrupted: boolean;
}

/** How a driver's Claude Code process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it wrote to stderr. */
  stderrTail: string;
}

/**
 * The process's own state, as the driver sees it. `waiting_input` is Claude Code asking a
 * person something (a driver that can tell, e.g. from a `Notification` hook).
 */
export type DriverState = "starting" | "ready" | "busy" | "waiting_input" | "exited";

/** What a driver reports while its process runs, whichever way it learns it. */
/** A failed API call Claude Code retries: its HTTP status (429 rate limited, 529 overloaded, …) and wait. */
export interface ApiRetry {
  attempt: number | null;
  error: string | null;
  errorStatus: number | null;
  /** How long Claude Code waits before the retry (the API's `retry-after` where it sent one). */
  retryDelayMs: number | null;
}

export interface AgentDriverEvents {
  /** Assistant text. */
  text: (text: string) => void;
  toolUse: (use: { id: string; name: string; input: Record<string, unknown> }) => void;
  toolResult: (result: { toolUseId: string; isError: boolean; content: string }) => void;
  /** A turn's own usage and cost, once it ended. */
  usage: (usage: TokenUsage) => void;
  /** Claude Code retries a failed API call (`attempt` counts from 1). */
  apiRetry: (retry: ApiRetry) => void;
  state: (state: DriverState) => void;
  /**
   * A turn a person typed into the agent's terminal (not sent by `sendTurn`): once when it
   * starts, once when it ends. The agent is busy in between.
   */
  typedTurn: (turn: { phase: "started"; prompt: string } | { phase: "ended"; result: TurnResult }) => void;
  /** Once, when the process ended for whatever reason. */
  exit: (info: ExitInfo) => void;
}

export type AgentDriverEvent = keyof AgentDriverEvents;

/**
 * One Claude Code process that runs an agent's turns. The agent manager knows agents only
 * through this: how a driver starts Claude Code and learns that a turn ended (stream-json
 * `result` lines for the headless driver; hooks for an interactive one) is its own affair.
 */
export interface AgentDriver {
  readonly kind: AgentDriverKind;
  /** The process's pid once started, else null. */
  readonly pid: number | null;
  /** Claude Code's session id, once it reported one. */
  readonly sessionId: string | null;
  /** Whether a turn is running. */
  readonly busy: boolean;
  /** Whether the process has ended. */
  readonly exited: boolean;
  /** The terminal the process runs in, for people to watch and type into; null for a driver with none (headless). */
  readonly terminal: PtySession | null;
  /** Starts the process and resolves once it can take a turn; rejects (a CcaError) if it cannot. */
  start(): Promise<void>;
  /** Sends one user turn and resolves when Claude Code ends it; rejects with `agent_crashed` if the process dies. */
  sendTurn(prompt: string): Promise<TurnResult>;
  /**
   * Stops the running turn, the process staying up; the turn then resolves as interrupted.
   * Resolves within `deadlineMs`: true once the turn ended or Claude Code acknowledged (and
   * at once when no turn runs), false when it did not answer in time (hung: `stop()` it).
   */
  interrupt(options?: { deadlineMs?: number }): Promise<boolean>;
  /**
   * Ends the process and every wait on it in bounded time: asks it to end, waits `graceMs`,
   * SIGTERMs it, waits `graceMs`, then SIGKILLs it and anything it started.
   */
  stop(graceMs: number): Promise<void>;
  /** Listens to one kind of event; returns the function that stops listening. */
  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void;
}

/** What a driver needs to start one agent's process. */
export interface DriverLaunch {
  agentId: string;
  /** The agent's role: its instructions, tools, model and driver. */
  profile: RoleProfile;
  sessionId: string;
  /** Continue the conversation `sessionId` instead of starting it afresh. */
  resume: boolean;
  cwd: string;
  /** CCA's MCP servers for the agent (its bridge to the daemon), if any. */
  mcp?: AgentMcp;
  logger: Logger;
}

/** Makes the driver the role asks for (`profile.driver`); it is not started yet. */
export type AgentDriverFactory = (launch: DriverLaunch) => AgentDriver;

type ListenerSets = { [E in AgentDriverEvent]: Set<AgentDriverEvents[E]> };

/** The listeners of one driver's events; drivers emit through it. */
export class DriverEventEmitter {
  readonly #listeners: ListenerSets = {
    text: new Set(),
    toolUse: new Set(),
    toolResult: new Set(),
    usage: new Set(),
    apiRetry: new Set(),
    state: new Set(),
    typedTurn: new Set(),
    exit: new Set(),
  };

  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void {
    const listeners = this.#listeners[event];
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  emit<E extends AgentDriverEvent>(event: E, ...args: Parameters<AgentDriverEvents[E]>): void {
    for (const listener of [...this.#listeners[event]]) {
      (listener as (...values: Parameters<AgentDriverEvents[E]>) => void)(...args);
    }
  }
}
