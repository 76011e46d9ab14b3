import type { Logger } from "@cca/core";
import type { PtySession } from "@cca/pty";

/** How long keys get to reach the TUI between pasting a prompt and pressing Enter. */
export const SUBMIT_PAUSE_MS = 30;
/** How long the TUI gets to confirm a prompt before Enter is pressed again. */
const RESUBMIT_INTERVAL_MS = 400;
const MAX_ENTER_PRESSES = 10;

/** Esc: stops the TUI's running turn. */
export const ESC = "\x1b";
/** Ctrl-U: clears the TUI's input box. */
export const CLEAR_INPUT = "\x15";

/** Puts `text` in the TUI's input box as one paste, so its newlines do not submit it. */
export function pasteText(session: PtySession, text: string): void {
  session.write(`\x1b[200~${text}\x1b[201~`);
}

/**
 * Presses Enter until `submitted()` says the prompt went in (the UserPromptSubmit hook): a
 * TUI still busy (loading a resumed conversation, under load) can take an Enter as part of
 * the paste. An Enter on an empty input box does nothing, so a late hook costs nothing.
 * `stillWanted()` false stops the presses (the turn ended, the process died).
 */
export function pressEnterUntilSubmitted(
  session: PtySession,
  options: { submitted: () => boolean; stillWanted: () => boolean; logger: Logger },
): void {
  let presses = 0;
  const press = () => {
    if (!options.stillWanted() || options.submitted()) return;
    if (presses >= MAX_ENTER_PRESSES) {
      options.logger.warn("the TUI never confirmed a prompt (no UserPromptSubmit hook)", {
        pid: session.process.pid,
      });
      return;
    }
    presses += 1;
    session.write("\r");
    setTimeout(press, presses === 1 ? RESUBMIT_INTERVAL_MS : RESUBMIT_INTERVAL_MS * 2).unref();
  };
  setTimeout(press, SUBMIT_PAUSE_MS).unref();
}
