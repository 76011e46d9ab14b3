import type { Env } from "@cca/core";

/** Paints text for a terminal; with colour off every method gives the text back unchanged. */
export interface Colors {
  readonly enabled: boolean;
  /**
   * A task status or agent state in its colour: green done, cyan at work, yellow waiting (bold
   * yellow: paused, until someone resumes it), magenta needs you, red failed.
   */
  state(state: string, text?: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;
type Paint = keyof typeof SGR;

/** Which paints a state gets; states not named here are left plain. */
const STATE_PAINTS: Record<string, readonly Paint[]> = {
  completed: ["green"],
  ready: ["green"],
  running: ["cyan"],
  busy: ["cyan"],
  starting: ["cyan"],
  queued: ["yellow"],
  paused: ["yellow", "bold"],
  waiting_input: ["magenta", "bold"],
  "needs you": ["magenta", "bold"],
  failed: ["red", "bold"],
  interrupted: ["red"],
  cancelled: ["dim"],
  stopping: ["dim"],
  stopped: ["dim"],
};

/**
 * Whether output gets colour: never with `NO_COLOR` set (https://no-color.org), else as
 * `FORCE_COLOR` says (`0` or `false`: no), else only on a terminal that is not `TERM=dumb`.
 */
export function wantsColor(env: Env, output: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return output.isTTY === true && env.TERM !== "dumb";
}

/** Colours on or off. */
export function createColors(enabled: boolean): Colors {
  const paint = (paints: readonly Paint[], text: string) =>
    enabled && text
      ? paints.reduce((painted, name) => `\u001b[${SGR[name][0]}m${painted}\u001b[${SGR[name][1]}m`, text)
      : text;
  return {
    enabled,
    state: (state, text = state) => paint(STATE_PAINTS[state] ?? [], text),
    dim: (text) => paint(["dim"], text),
    bold: (text) => paint(["bold"], text),
  };
}

/** No colour: for JSON, pipes and tests. */
export const NO_COLORS: Colors = createColors(false);
