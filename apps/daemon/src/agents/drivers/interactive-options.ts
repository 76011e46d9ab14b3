import type { Logger, TokenUsage } from "@cca/core";

/** A person's answer to a tool use the role may not do alone. */
export type PermissionAnswer =
  | { allow: true; updatedInput?: Record<string, unknown> }
  | { allow: false; message: string };

/** Asks a person (the approval inbox) about one tool use; aborted when the turn ends first. */
export type PermissionAsker = (
  question: { tool_name: string; input: Record<string, unknown>; tool_use_id?: string },
  signal: AbortSignal,
) => Promise<PermissionAnswer>;

export interface InteractiveDriverOptions {
  claudePath: string;
  /** The conversation's arguments (interactiveLaunchArgs without settings: the driver adds its hooks). */
  args: (settings: string) => string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  startupTimeoutMs: number;
  /** Whether the agent runs with `bypassPermissions` (its warning is then accepted beforehand). */
  bypassPermissions: boolean;
  /** How long a permission question may wait for a person; the hook's own limit is set past it. */
  permissionTimeoutS: number;
  /** Where permission questions go; without it the TUI asks whoever is attached. */
  askPermission?: PermissionAsker;
  /**
   * The usage of the turn from what Claude Code appended to its transcript since `offset`;
   * `untilTurnEnd`: the turn ended normally, so its closing line is worth waiting for.
   */
  turnUsage: (
    transcriptPath: string,
    offset: number,
    options: { untilTurnEnd: boolean },
  ) => Promise<TokenUsage>;
  /** Who the agent is, first on its status line (e.g. "CCA backend agent"). */
  label?: string;
  /** The terminal's size. Default 120×40. */
  cols?: number;
  rows?: number;
  /** The executable that runs the SessionStart relay; default this process's Node. */
  nodePath?: string;
  logger?: Logger;
}
