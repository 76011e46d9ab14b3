/** A `tool_use` block the mock puts in its answer. */
export interface MockToolUse {
  name: string;
  input: Record<string, unknown>;
  /** Defaults to a fresh `toolu_mock_…` id. */
  id?: string;
}

/** Token counts reported to Claude Code; they drive its cost figures, so keep them non-zero. */
export interface MockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** The cache writes by lifetime (they should add up to `cache_creation_input_tokens`). */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** An HTTP error answer in the Messages API error shape. */
export interface MockError {
  /** HTTP status, e.g. 500 or 529. */
  status: number;
  /** Anthropic error type, e.g. `api_error`, `overloaded_error`, `rate_limit_error`. */
  type: string;
  message: string;
  /** Sent as the `retry-after` header (seconds), as the API does with 429 and 529. */
  retryAfterS?: number;
}

/** What the mock answers to one Messages API request. */
export interface MockReply {
  /** A text block (sent before any tool_use blocks). */
  text?: string;
  /** tool_use blocks; when present `stop_reason` is `tool_use`. */
  toolUses?: MockToolUse[];
  /** Defaults to non-zero numbers derived from the request and answer sizes. */
  usage?: MockUsage;
  /** Defaults to `tool_use` when there are tool uses, else `end_turn`. */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal";
  /** Answer with this HTTP error instead of a message. */
  error?: MockError;
  /** Wait this long before answering (the wait ends early if the client goes away). */
  delayMs?: number;
  /** Never answer; the connection stays open until the client leaves or the server closes. */
  hang?: boolean;
}

/** One tool_result block of a request's last user message, with its content flattened to text. */
export interface RecordedToolResult {
  tool_use_id: string;
  content: string;
  is_error: boolean;
}

/** A Messages API request as the mock saw it, with the parts scripts usually key on. */
export interface RecordedRequest {
  /** The parsed JSON body. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary fields of the wire body
  body: any;
  /** Request path including the query, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** Request headers (lower-case names; repeated headers joined with `, `). */
  headers: Record<string, string>;
  /** Text of the last user message, without `<system-reminder>` blocks and tool_result blocks. */
  lastUserText: string;
  /** The text of every user message that has text, in order (same cleaning as `lastUserText`). */
  allUserText: string[];
  /** Names in `body.tools`. */
  toolNames: string[];
  /** tool_result blocks of the last user message. */
  toolResults: RecordedToolResult[];
  /** `body.system` text blocks joined with newlines (not `role: "system"` messages). */
  systemText: string;
  /** An auxiliary Claude Code call (session title, quota probe) rather than a conversation turn. */
  isSideRequest: boolean;
}

/** A scripted answer: the first rule (in the order added) whose `when` matches answers. */
export interface MockRule {
  /** Shown in error messages. */
  name?: string;
  when: (request: RecordedRequest) => boolean;
  reply: MockReply | ((request: RecordedRequest) => MockReply);
  /** How many times the rule may match; unlimited by default. */
  times?: number;
}

/** Options of {@link createMockAnthropic}. */
export interface MockAnthropicOptions {
  /** Port to listen on; 0 (any free port) by default. */
  port?: number;
  /** Answer when no rule matches; by default a text saying so, so that tests fail visibly. */
  defaultReply?: (request: RecordedRequest) => MockReply;
  /** Answer to side requests; by default JSON that fits the requested schema, or a short text. */
  sideReply?: (request: RecordedRequest) => MockReply;
  /**
   * Play the API's prompt cache (see PromptCache) in replies without usage of their own:
   * their input splits into uncached, cache writes and cache reads. On by default.
   */
  promptCache?: boolean;
}

/** A running mock of the Anthropic Messages API. */
export interface MockAnthropic {
  /** `http://127.0.0.1:<port>`, the value for `ANTHROPIC_BASE_URL`. */
  readonly url: string;
  /** Conversation requests in arrival order (side requests are in `sideRequests`). */
  readonly requests: RecordedRequest[];
  /** Side requests (title generation and the like) in arrival order. */
  readonly sideRequests: RecordedRequest[];
  /** Adds a rule after the existing ones. */
  on(rule: MockRule): this;
  /**
   * Resolves with the first conversation request, already received or still to come, that matches.
   * Rejects after `timeoutMs` (default 10 s) or when the server closes.
   */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  /** As `waitForRequest`, for side requests. */
  waitForSideRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  /** Forgets rules and recorded requests. */
  reset(): void;
  /** Stops listening and ends every open response, hanging ones included. */
  close(): Promise<void>;
}
