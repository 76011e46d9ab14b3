export { isPtyError, PTY_ERROR_CODES, PtyError, type PtyErrorCode } from "./errors.js";
export {
  type KillOptions,
  type PtyExit,
  type PtyProcess,
  type SpawnPtyOptions,
  spawnPty,
  type Unsubscribe,
} from "./pty-process.js";
export {
  createPtySession,
  type PtySession,
  type PtySessionOptions,
  type ScrollbackView,
  spawnPtySession,
} from "./pty-session.js";
export { screenShows } from "./screen-shows.js";
export { ScrollbackBuffer } from "./scrollback-buffer.js";
export type { ScreenSnapshot } from "./terminal-screen.js";
export { MAX_DIMENSION } from "./validate.js";
export type { AttachOptions, PtyViewer, ViewerClose, ViewerFrame } from "./viewer.js";
