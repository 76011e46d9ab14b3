/**
 * A message channel between two peers, modeled on the MCP SDK's Transport. Frames are
 * strings (one JSON text each): the Connection parses them, so a frame that is not JSON
 * is answered with -32700 and an oversized one with FrameTooLarge the same way on every
 * transport, and the size limit is checked before any parsing.
 *
 * Contract: frames received before `start()` are kept and delivered, in order, when it
 * is called; `onclose` is called once, whichever side closed; `send` after close rejects.
 */
export interface Transport {
  /** Begins delivering frames to `onmessage` (and, for a connecting transport, waits until it is open). */
  start(): Promise<void>;
  /** Sends one frame. Rejects when the transport is closed. */
  send(frame: string): Promise<void>;
  /** Closes the channel; `reason` may be passed on to the peer. Resolves when it is closed. */
  close(reason?: string): Promise<void>;
  /** Called with each received frame. */
  onmessage?: ((frame: string) => void) | undefined;
  /** Called once when the channel closes, with a reason a person can read. */
  onclose?: ((reason: string) => void) | undefined;
  /** Called on an error that does not by itself close the channel (a close follows if it does). */
  onerror?: ((error: Error) => void) | undefined;
}
