export {
  MAX_TOOL_RESULT_CHARS,
  type MalformedLine,
  type ParseTranscriptOptions,
  parseTranscript,
  sumUsage,
  type TranscriptEntry,
} from "./parse-transcript.js";
export { readTranscriptFrom, type TranscriptChunk, transcriptUsageSince } from "./read-transcript.js";
export { agentTranscriptPath, claudeConfigDirOf } from "./transcript-location.js";
