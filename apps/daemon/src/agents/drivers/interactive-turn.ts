import { type CcaError, emptyUsage, type Logger, type TokenUsage } from "@cca/core";
import type { TurnResult } from "../agent-driver.js";
import type { CostMeter } from "./status-line.js";

/** A turn the TUI runs: sent by CCA (`sendTurn`), or typed by a person attached to its terminal. */
export interface PendingTurn {
  by: "cca" | "person";
  startedAt: number;
  /** The transcript's size when the turn began: what follows is this turn's. */
  offset: number;
  /** Claude Code's running cost when the turn began. */
  costAtStart: number;
  /** Cancels a permission question still waiting when the turn ends. */
  abort: AbortController;
  /** Whether the UserPromptSubmit hook confirmed the prompt. */
  submitted: boolean;
  /** Settles once the turn ended, or rejects once the process died during it. */
  result: Promise<TurnResult>;
  resolve(result: TurnResult): void;
  reject(error: CcaError): void;
}

export function pendingTurn(by: PendingTurn["by"], offset: number, costAtStart: number): PendingTurn {
  let resolve!: (result: TurnResult) => void;
  let reject!: (error: CcaError) => void;
  const result = new Promise<TurnResult>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Nobody need await a person's turn (a CCA turn waiting behind it may).
  if (by === "person") result.catch(() => {});
  return {
    by,
    startedAt: Date.now(),
    offset,
    costAtStart,
    abort: new AbortController(),
    submitted: by === "person",
    result,
    resolve,
    reject,
  };
}

/** How a turn ended, as the hooks told it. */
export interface TurnEnd {
  text: string;
  isError: boolean;
  subtype: string;
  interrupted?: boolean;
}

/**
 * The ended turn's result: its tokens from what Claude Code appended to the transcript
 * (after a normal end, once its closing line is written) and its cost from the status line,
 * both awaited side by side.
 */
export async function endedTurnResult(
  turn: PendingTurn,
  end: TurnEnd,
  deps: {
    transcriptPath: string | null;
    sessionId: string | null;
    turnUsage: (path: string, offset: number, options: { untilTurnEnd: boolean }) => Promise<TokenUsage>;
    cost: CostMeter;
    logger: Logger;
  },
): Promise<TurnResult> {
  const readUsage = deps.transcriptPath
    ? deps
        .turnUsage(deps.transcriptPath, turn.offset, { untilTurnEnd: end.subtype === "success" })
        .catch((error: unknown) => {
          deps.logger.warn("could not read a turn's usage from Claude Code's transcript", {
            error: String(error),
          });
          return emptyUsage();
        })
    : Promise.resolve(emptyUsage());
  // An interrupt has no status line to wait for: it ends now, with what was counted so far.
  const [usage, total] = await Promise.all([readUsage, deps.cost.next(end.interrupted ? 0 : undefined)]);
  return {
    subtype: end.subtype,
    isError: end.isError,
    text: end.text,
    sessionId: deps.sessionId,
    numTurns: null,
    durationMs: Date.now() - turn.startedAt,
    usage: { ...usage, cost_usd: Math.max(0, total - turn.costAtStart) },
    totalCostUsd: total,
    apiErrorStatus: null,
    permissionDenials: [],
    interrupted: end.interrupted ?? false,
  };
}

/** A CCA turn interrupted while it waited for a person's: it never reached the TUI. */
export function interruptedBeforeStart(sessionId: string | null, totalCostUsd: number): TurnResult {
  return {
    subtype: "interrupted",
    isError: false,
    text: "",
    sessionId,
    numTurns: null,
    durationMs: 0,
    usage: emptyUsage(),
    totalCostUsd,
    apiErrorStatus: null,
    permissionDenials: [],
    interrupted: true,
  };
}
