import type { PtySession } from "./pty-session.js";

/**
 * Resolves with the screen once `text` is on it, looking again after each chunk of output;
 * rejects, with the screen, if the program exits first. Bound it with a deadline of your own.
 * @example await screenShows(session, "ready>");
 */
export async function screenShows(session: PtySession, text: string): Promise<string[]> {
  for (;;) {
    let changed!: () => void;
    const change = new Promise<void>((resolve) => {
      changed = resolve;
    });
    // Listening before reading the screen, so output between the two is not missed.
    const stopData = session.process.onData(() => changed());
    const stopExit = session.process.onExit(() => changed());
    try {
      const screen = await session.screenText();
      if (screen.some((line) => line.includes(text))) return screen;
      if (session.process.exit) {
        throw new Error(`the program exited before "${text}" showed:\n${screen.join("\n")}`);
      }
      await change;
    } finally {
      stopData();
      stopExit();
    }
  }
}
