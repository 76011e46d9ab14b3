import { stat } from "node:fs/promises";
import { CcaError, clampTimerMs, type Logger, noopLogger } from "@cca/core";
import { type PtySession, spawnPtySession } from "@cca/pty";
import {
  type AgentDriver,
  type AgentDriverEvent,
  type AgentDriverEvents,
  DriverEventEmitter,
  type ExitInfo,
  type TurnResult,
} from "../agent-driver.js";
import { seedClaudeConfig } from "./claude-config-seed.js";
import { DEFAULT_INTERRUPT_DEADLINE_MS } from "./headless.js";
import {
  type HookEvent,
  type PermissionRequestEvent,
  permissionDecision,
  toolResponseText,
} from "./hook-events.js";
import { HOOK_TOKEN_VARIABLE, HookListener } from "./hook-listener.js";
import { HOOK_URL_VARIABLE } from "./hook-relay.js";
import { hookSettings } from "./hook-settings.js";
import type { InteractiveDriverOptions } from "./interactive-options.js";
import {
  endedTurnResult,
  interruptedBeforeStart,
  type PendingTurn,
  pendingTurn,
  type TurnEnd,
} from "./interactive-turn.js";
import { CostMeter, statusLineText } from "./status-line.js";
import { CLEAR_INPUT, ESC, pasteText, pressEnterUntilSubmitted, SUBMIT_PAUSE_MS } from "./tui-input.js";

export type { InteractiveDriverOptions, PermissionAnswer, PermissionAsker } from "./interactive-options.js";

/** How long the TUI gets to settle an Esc before the restored prompt is cleared. */
const INTERRUPT_SETTLE_MS = 200;

/**
 * The interactive driver: Claude Code's own TUI in a PTY, which people can watch and type
 * into (`terminal`). Prompts are pasted into its input box; what happens is learnt from
 * Claude Code's hooks, posted to a loopback listener (SessionStart: ready; Stop: the
 * turn's end and its text; PostToolUse: tool calls; PermissionRequest: a question for
 * the approval inbox; Notification: waiting for a person; the status line: its cost),
 * never from the screen. A prompt a person types in is a turn too (`typedTurn`).
 */
export class InteractiveDriver implements AgentDriver {
  readonly kind = "interactive";
  readonly #options: InteractiveDriverOptions;
  readonly #logger: Logger;
  readonly #events = new DriverEventEmitter();
  #session: PtySession | null = null;
  #hooks: HookListener | null = null;
  #sessionId: string | null = null;
  #transcriptPath: string | null = null;
  #turn: PendingTurn | null = null;
  readonly #cost = new CostMeter();
  /** Ends the wait of a CCA turn queued behind a person's, as interrupted. */
  #cancelWaiting: (() => void) | null = null;
  #exit: ExitInfo | null = null;
  #onReady: (() => void) | null = null;

  constructor(options: InteractiveDriverOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
  }

  get pid(): number | null {
    return this.#session?.process.pid ?? null;
  }

  get sessionId(): string | null {
    return this.#sessionId;
  }

  get busy(): boolean {
    return this.#turn !== null;
  }

  get exited(): boolean {
    return this.#exit !== null;
  }

  get terminal(): PtySession | null {
    return this.#session;
  }

  on<E extends AgentDriverEvent>(event: E, listener: AgentDriverEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts the TUI and resolves once its SessionStart hook reported (its input box then takes keys). */
  async start(): Promise<void> {
    const { claudePath, cwd, env, startupTimeoutMs } = this.#options;
    this.#events.emit("state", "starting");
    try {
      await seedClaudeConfig({ env, cwd, bypassPermissions: this.#options.bypassPermissions });
    } catch (error) {
      throw new CcaError(
        "agent_spawn_failed",
        `Could not prepare Claude Code's config for an interactive agent: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const hooks = await HookListener.start((event) => this.#onHook(event), this.#logger);
    this.#hooks = hooks;
    const settings = hookSettings({
      url: hooks.url,
      nodePath: this.#options.nodePath ?? process.execPath,
      permissionTimeoutS: this.#options.permissionTimeoutS,
    });
    const ready = new Promise<void>((resolve) => {
      this.#onReady = resolve;
    });
    let session: PtySession;
    try {
      session = spawnPtySession(claudePath, this.#options.args(settings), {
        cwd,
        env: { ...env, [HOOK_URL_VARIABLE]: hooks.url, [HOOK_TOKEN_VARIABLE]: hooks.token },
        cols: this.#options.cols ?? 120,
        rows: this.#options.rows ?? 40,
      });
    } catch (error) {
      await hooks.close();
      throw new CcaError(
        "agent_spawn_failed",
        `Could not start Claude Code (${claudePath}) in a terminal: ${String(error)}`,
        {
          cause: error,
          details: { path: claudePath },
        },
      );
    }
    this.#session = session;
    const exited = session.exited.then((exit) => this.#onExit(exit.code, exit.signal));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ready.then(() => "ready" as const),
      exited.then(() => "exited" as const),
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), clampTimerMs(startupTimeoutMs));
      }),
    ]);
    clearTimeout(timer);
    if (outcome === "ready") {
      this.#events.emit("state", "ready");
      return;
    }
    const screen = await this.#screenTail();
    await this.stop(1_000);
    const why =
      outcome === "exited"
        ? `exited with ${this.#exitText()} before it was ready`
        : `did not report its session start within ${startupTimeoutMs} ms`;
    throw new CcaError("agent_spawn_failed", `Claude Code (${claudePath}) in a terminal ${why}${screen}`, {
      details: { path: claudePath },
    });
  }

  /**
   * Pastes the prompt into the TUI's input box, presses Enter, and resolves on the Stop
   * hook. A turn a person typed in runs first.
   */
  async sendTurn(prompt: string): Promise<TurnResult> {
    let turn: PendingTurn | null = null;
    while (!turn) {
      while (this.#turn?.by === "person") {
        if (await this.#waitOut(this.#turn)) return interruptedBeforeStart(this.#sessionId, this.#cost.total);
      }
      if (this.#turn) throw new CcaError("internal", "This agent is already running a turn");
      const dead = this.#deadError("before the turn started");
      if (dead) throw dead;
      const offset = await this.#transcriptSize();
      // A person may have started a turn meanwhile: it goes first.
      if (!this.#turn) turn = pendingTurn("cca", offset, this.#cost.total);
    }
    this.#turn = turn;
    const session = this.#session!;
    pasteText(session, prompt);
    this.#events.emit("state", "busy");
    pressEnterUntilSubmitted(session, {
      submitted: () => turn.submitted,
      stillWanted: () => !this.#exit && this.#turn === turn,
      logger: this.#logger,
    });
    return await turn.result;
  }

  /** Waits for a person's turn to end; true if an interrupt came first (for the CCA turn waiting behind it). */
  #waitOut(person: PendingTurn): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (interrupted: boolean) => {
        if (this.#cancelWaiting === cancel) this.#cancelWaiting = null;
        resolve(interrupted);
      };
      const cancel = () => done(true);
      this.#cancelWaiting = cancel;
      person.result.then(
        () => done(false),
        () => done(false),
      );
    });
  }

  /**
   * Presses Esc, which stops the TUI's running turn (Claude Code runs no Stop hook for it),
   * then clears the prompt the TUI puts back in its input box; the turn resolves as
   * interrupted with what it used so far. While a person's turn runs, that turn is left
   * alone and only a CCA turn waiting behind it ends. True unless the process is gone.
   */
  async interrupt(options: { deadlineMs?: number } = {}): Promise<boolean> {
    const turn = this.#turn;
    if (!turn) return true;
    if (turn.by === "person") {
      // The person's turn is theirs: only a CCA turn waiting behind it is stopped.
      this.#cancelWaiting?.();
      return true;
    }
    if (this.#exit || !this.#session) return false;
    const session = this.#session;
    session.write(ESC);
    const settle = Math.min(INTERRUPT_SETTLE_MS, options.deadlineMs ?? DEFAULT_INTERRUPT_DEADLINE_MS);
    await new Promise((resolve) => setTimeout(resolve, settle).unref());
    if (this.#turn === turn) {
      if (!this.#exit) session.write(CLEAR_INPUT);
      await this.#finishTurn({ text: "", isError: false, subtype: "interrupted", interrupted: true });
    }
    return true;
  }

  /**
   * Ends the TUI in bounded time: Esc (a running turn stops) and `/exit`, which lets Claude
   * Code finish writing its transcript (SIGTERM loses its last batch); after `graceMs`
   * SIGTERM, after `graceMs` more SIGKILL, and anything left of its process group is killed.
   */
  async stop(graceMs: number): Promise<void> {
    const session = this.#session;
    try {
      if (session && !this.#exit) {
        session.write(`${this.#turn ? ESC : ""}${CLEAR_INPUT}/exit`);
        setTimeout(() => {
          if (!this.#exit) session.write("\r");
        }, SUBMIT_PAUSE_MS).unref();
        const exitedInTime = await Promise.race([
          session.exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), clampTimerMs(graceMs)).unref()),
        ]);
        if (!exitedInTime) {
          await session.kill({ graceMs, killTimeoutMs: graceMs }).catch((error: unknown) => {
            this.#logger.warn("an interactive agent did not exit when killed", {
              pid: this.pid,
              error: String(error),
            });
          });
        }
      }
      if (session) signalGroup(session.process.pid, "SIGKILL");
    } finally {
      await this.#hooks?.close();
    }
  }

  async #onHook(event: HookEvent): Promise<unknown> {
    this.#logger.debug("hook", { event: event.hook_event_name });
    switch (event.hook_event_name) {
      case "SessionStart":
        this.#sessionId = event.session_id;
        this.#transcriptPath = event.transcript_path ?? this.#transcriptPath;
        this.#onReady?.();
        return undefined;
      case "UserPromptSubmit":
        this.#transcriptPath = event.transcript_path ?? this.#transcriptPath;
        if (this.#turn) this.#turn.submitted = true;
        else await this.#startTypedTurn(event.prompt);
        return undefined;
      case "PostToolUse":
      case "PostToolUseFailure": {
        const id = event.tool_use_id ?? "";
        this.#events.emit("toolUse", { id, name: event.tool_name, input: event.tool_input });
        const failed = event.hook_event_name === "PostToolUseFailure";
        this.#events.emit("toolResult", {
          toolUseId: id,
          isError: failed,
          content: failed ? (event.error ?? "") : toolResponseText(event.tool_response),
        });
        return undefined;
      }
      case "Notification":
        if (event.notification_type === "permission_prompt" && this.#turn)
          this.#events.emit("state", "waiting_input");
        return undefined;
      case "PermissionRequest":
        return await this.#askPermission(event);
      case "StatusLine":
        this.#cost.observe(event);
        return { text: statusLineText(this.#options.label ?? "CCA agent", event) };
      case "Stop":
        if (event.last_assistant_message) this.#events.emit("text", event.last_assistant_message);
        await this.#finishTurn({
          text: event.last_assistant_message ?? "",
          isError: false,
          subtype: "success",
        });
        return undefined;
      case "StopFailure":
        await this.#finishTurn({
          text:
            event.last_assistant_message ||
            `Claude Code ended the turn on an error: ${event.error ?? "unknown"}`,
          isError: true,
          subtype: "error_during_execution",
        });
        return undefined;
    }
  }

  /**
   * Puts the question to the approval inbox; without one, or in a turn a person typed in
   * (who is there to answer), the TUI asks whoever is attached.
   */
  async #askPermission(event: PermissionRequestEvent): Promise<unknown> {
    const ask = this.#options.askPermission;
    const turn = this.#turn;
    if (!ask || !turn || turn.by === "person") return undefined;
    this.#events.emit("state", "waiting_input");
    try {
      const answer = await ask(
        { tool_name: event.tool_name, input: event.tool_input, tool_use_id: event.tool_use_id },
        turn.abort.signal,
      );
      return permissionDecision(answer);
    } finally {
      if (this.#turn === turn) this.#events.emit("state", "busy");
    }
  }

  /** A prompt a person typed into the terminal: a turn of its own, the agent busy till it ends. */
  async #startTypedTurn(prompt: string): Promise<void> {
    const turn = pendingTurn("person", await this.#transcriptSize(), this.#cost.total);
    if (this.#turn || this.#exit) return;
    this.#turn = turn;
    this.#events.emit("state", "busy");
    this.#events.emit("typedTurn", { phase: "started", prompt });
  }

  async #finishTurn(end: TurnEnd): Promise<void> {
    const turn = this.#turn;
    if (!turn) {
      this.#logger.debug("Claude Code ended a turn nobody was waiting for", { subtype: end.subtype });
      return;
    }
    this.#turn = null;
    turn.abort.abort();
    const result = await endedTurnResult(turn, end, {
      transcriptPath: this.#transcriptPath,
      sessionId: this.#sessionId,
      turnUsage: this.#options.turnUsage,
      cost: this.#cost,
      logger: this.#logger,
    });
    this.#events.emit("usage", result.usage);
    this.#events.emit("state", "ready");
    if (turn.by === "person") this.#events.emit("typedTurn", { phase: "ended", result });
    turn.resolve(result);
  }

  async #transcriptSize(): Promise<number> {
    if (!this.#transcriptPath) return 0;
    try {
      return (await stat(this.#transcriptPath)).size;
    } catch {
      return 0; // Claude Code writes the transcript at the first prompt
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exit) return;
    this.#exit = { code, signal, stderrTail: "" };
    const turn = this.#turn;
    this.#turn = null;
    if (turn) {
      turn.abort.abort();
      turn.reject(this.#deadError("during the turn")!);
    }
    void this.#hooks?.close();
    this.#events.emit("state", "exited");
    this.#events.emit("exit", this.#exit);
  }

  #deadError(when: string): CcaError | null {
    if (!this.#exit) return null;
    return new CcaError(
      "agent_crashed",
      `Claude Code (pid ${this.pid ?? "?"}, interactive) exited with ${this.#exitText()} ${when}`,
      {
        details: { pid: this.pid, code: this.#exit.code, signal: this.#exit.signal },
      },
    );
  }

  #exitText(): string {
    if (!this.#exit) return "no exit yet";
    return this.#exit.signal ? `signal ${this.#exit.signal}` : `code ${this.#exit.code}`;
  }

  /** The last lines on its screen, for an error that says what the TUI showed. */
  async #screenTail(): Promise<string> {
    const rows = await this.#session?.screenText().catch(() => []);
    const text = (rows ?? [])
      .map((row) => row.trimEnd())
      .filter(Boolean)
      .slice(-8)
      .join(" | ");
    return text ? `; its screen ends with: ${text.slice(0, 600)}` : "";
  }
}

/** Signals a PTY child's process group (it leads a session of its own), if anything is left of it. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
