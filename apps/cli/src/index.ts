export {
  type AttachClosed,
  type AttachConnection,
  type AttachHello,
  type AttachIncoming,
  type ConnectAttachOptions,
  connectAgentAttach,
  type WebSocketFactory,
  type WebSocketLike,
} from "./attach/attach-client.js";
export { type AttachTerminalIo, runTerminalAttach, type TerminalAttachEnd } from "./attach/raw-terminal.js";
export {
  runTranscriptAttach,
  type TranscriptAttachEnd,
  type TranscriptIo,
} from "./attach/transcript-view.js";
export { run } from "./cli.js";
export type { CommandContext, Output, RunOptions } from "./context.js";
export {
  type DaemonFiles,
  DaemonProcessError,
  daemonFiles,
  isDaemonProcess,
  isProcessAlive,
  readLastLines,
  readPidFile,
  resolveDaemonEntry,
  type StopOutcome,
  stopProcess,
} from "./daemon-process.js";
export { type DaemonLocation, locateDaemon, urlForBindAddress } from "./daemon-url.js";
export {
  EXIT_CODES,
  EXIT_CODES_HELP,
  type ExitCode,
  exitCodeForError,
  exitCodeForTask,
  UsageError,
} from "./exit-codes.js";
export {
  type RenderOptions,
  renderAgentTable,
  renderDaemonStatus,
  renderTaskDetail,
  renderTaskTable,
} from "./render.js";
export { renderTeamStatus, type TeamStatus } from "./render-team.js";
export { renderTaskTreeStatus, renderTreeTable, roleOfAgent } from "./render-tree.js";
