export { resolveClaudeBinary, STREAM_JSON_ARGS } from "./claude-binary.ts";
export type { ClaudeTestEnvOptions } from "./claude-env.ts";
export { claudeTestEnv, TEST_API_KEY } from "./claude-env.ts";
export { type ClaudeRun, runClaude } from "./run-claude.ts";
export { callTool, hasToolResult, lastUserTextIncludes, replyError, replyText } from "./script.ts";
export { createMockAnthropic } from "./server.ts";
export type {
  MockAnthropic,
  MockAnthropicOptions,
  MockError,
  MockReply,
  MockRule,
  MockToolUse,
  MockUsage,
  RecordedRequest,
  RecordedToolResult,
} from "./types.ts";
