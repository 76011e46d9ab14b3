import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claudeTestEnv, TEST_API_KEY } from "../src/claude-env.ts";
import { runClaude } from "../src/run-claude.ts";
import { callTool, hasToolResult, lastUserTextIncludes, replyError, replyText } from "../src/script.ts";
import { createMockAnthropic } from "../src/server.ts";
import type { MockAnthropic } from "../src/types.ts";
import { createTempDirectories, HeadlessClaude, parseStreamLines } from "./claude-process.ts";

const echoServer = fileURLToPath(new URL("./fixtures/echo-mcp-server.mjs", import.meta.url));

describe("the real Claude Code CLI against the mock", () => {
  const temp = createTempDirectories();
  const processes: HeadlessClaude[] = [];
  let mock: MockAnthropic;
  let env: Record<string, string>;
  let cwd: string;

  beforeEach(async () => {
    mock = await createMockAnthropic();
    const home = await temp.make("cca-mock-home-");
    cwd = await temp.make("cca-mock-cwd-");
    env = claudeTestEnv({ mockUrl: mock.url, home, trustedDirectories: [cwd] });
  });

  afterEach(async () => {
    for (const claude of processes.splice(0)) claude.kill();
    await mock.close();
    await temp.removeAll();
  });

  function startHeadless(extraArgs: string[] = []): HeadlessClaude {
    const claude = new HeadlessClaude(extraArgs, { env, cwd });
    processes.push(claude);
    return claude;
  }

  it("prints the scripted text and the mock's usage for claude -p", async () => {
    mock.on({
      when: lastUserTextIncludes("hello"),
      reply: replyText("Hello from the mock", { input_tokens: 1234, output_tokens: 56 }),
    });

    const run = await runClaude(["-p", "hello", "--output-format", "json"], { env, cwd });

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ type: "result", is_error: false, result: "Hello from the mock" });
    expect(result.usage).toMatchObject({ input_tokens: 1234, output_tokens: 56 });
    expect(result.total_cost_usd).toBeGreaterThan(0);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ path: "/v1/messages?beta=true", lastUserText: "hello" });
    expect(mock.requests[0]?.headers["x-api-key"]).toBe(TEST_API_KEY);
  });

  it("answers each turn of a long-lived headless process and sends earlier turns along", async () => {
    mock.on({ when: lastUserTextIncludes("first question"), reply: replyText("first answer") });
    mock.on({ when: lastUserTextIncludes("second question"), reply: replyText("second answer") });
    const claude = startHeadless();

    claude.send("first question");
    const first = await claude.nextResult();
    claude.send("second question");
    const second = await claude.nextResult();

    expect(first).toMatchObject({ is_error: false, result: "first answer" });
    expect(second).toMatchObject({ is_error: false, result: "second answer", session_id: first.session_id });
    expect(mock.requests.map((request) => request.lastUserText)).toEqual([
      "first question",
      "second question",
    ]);
    expect(mock.requests[1]?.allUserText).toEqual(["first question", "second question"]);
    expect(await claude.close()).toBe(0);
  });

  it("plays the prompt cache: a session's second request reads what its first wrote", async () => {
    mock.on({ when: () => true, reply: replyText("ok") });
    const claude = startHeadless();
    claude.send("first question");
    const first = await claude.nextResult();
    claude.send("second question");
    const second = await claude.nextResult();

    // Claude Code's tools and system prompt stay put between turns, so the second reads them.
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1_024);
    expect(second.usage.cache_read_input_tokens).toBeGreaterThanOrEqual(
      first.usage.cache_creation_input_tokens,
    );
    expect(second.usage.input_tokens).toBeLessThan(first.usage.input_tokens + 100);
    expect(await claude.close()).toBe(0);
  });

  it("runs an allowed built-in tool and returns its result to the mock", async () => {
    mock.on({
      when: lastUserTextIncludes("say hi in the shell"),
      reply: {
        toolUses: [
          {
            id: "toolu_test_bash",
            name: "Bash",
            input: { command: "echo hi-from-bash", description: "Say hi" },
          },
        ],
      },
    });
    mock.on({
      when: hasToolResult,
      reply: (request) => replyText(`the shell said ${request.toolResults[0]?.content}`),
    });

    const run = await runClaude(
      ["-p", "say hi in the shell", "--output-format", "json", "--allowedTools", "Bash"],
      {
        env,
        cwd,
      },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      is_error: false,
      result: "the shell said hi-from-bash",
      num_turns: 2,
      permission_denials: [],
    });
    expect(mock.requests).toHaveLength(2);
    expect(mock.requests[1]?.toolResults).toEqual([
      { tool_use_id: "toolu_test_bash", content: "hi-from-bash", is_error: false },
    ]);
    expect(mock.requests[1]?.lastUserText).toBe("");
  });

  it("calls an MCP tool named mcp__<server>__<tool> when the mock asks for it", async () => {
    const mcpConfig = join(cwd, "mcp.json");
    await writeFile(
      mcpConfig,
      JSON.stringify({ mcpServers: { echo: { command: process.execPath, args: [echoServer] } } }),
    );
    mock.on({
      when: (request) => request.toolNames.includes("mcp__echo__echo") && request.lastUserText === "use echo",
      reply: callTool("mcp__echo__echo", { text: "ping" }),
    });
    mock.on({ when: hasToolResult, reply: (request) => replyText(`got ${request.toolResults[0]?.content}`) });

    const args = [
      "-p",
      "use echo",
      "--output-format",
      "json",
      "--mcp-config",
      mcpConfig,
      "--strict-mcp-config",
    ];
    const run = await runClaude([...args, "--allowedTools", "mcp__echo__echo"], { env, cwd });

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      is_error: false,
      result: "got echo: ping",
      permission_denials: [],
    });
  });

  it("reports an API error as a failed result after one retry", async () => {
    mock.on({ when: () => true, reply: replyError(500, "api_error", "scripted failure") });

    const run = await runClaude(["-p", "hello", "--output-format", "stream-json", "--verbose"], { env, cwd });

    expect(run.code).toBe(1);
    const lines = parseStreamLines(run.stdout);
    expect(lines.filter((line) => line.type === "system" && line.subtype === "api_retry")).toHaveLength(1);
    const result = lines.find((line) => line.type === "result");
    expect(result).toMatchObject({ is_error: true, api_error_status: 500 });
    expect(result?.result).toContain("scripted failure");
    expect(mock.requests).toHaveLength(2);
  });

  it("recovers when only the first attempt fails", async () => {
    mock.on({ when: () => true, reply: replyError(529, "overloaded_error", "busy"), times: 1 });
    mock.on({ when: () => true, reply: replyText("second attempt worked") });

    const run = await runClaude(["-p", "hello", "--output-format", "stream-json", "--verbose"], { env, cwd });

    expect(run.code, run.stderr).toBe(0);
    const lines = parseStreamLines(run.stdout);
    expect(lines.find((line) => line.type === "system" && line.subtype === "api_retry")).toMatchObject({
      error_status: 529,
    });
    expect(lines.find((line) => line.type === "result")).toMatchObject({
      is_error: false,
      result: "second attempt worked",
    });
  });

  it("answers the session-title side request with JSON and keeps it out of the script", async () => {
    delete env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC;
    mock.on({ when: lastUserTextIncludes("name this session"), reply: replyText("named"), times: 1 });
    const claude = startHeadless();

    claude.send("name this session");
    const result = await claude.nextResult();
    const title = await mock.waitForSideRequest(
      (request) => request.body.output_config?.format?.type === "json_schema",
    );

    expect(result).toMatchObject({ is_error: false, result: "named" });
    expect(title.isSideRequest).toBe(true);
    expect(title.toolNames).toEqual([]);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests.every((request) => !request.isSideRequest)).toBe(true);
  });

  it("lets an interrupt end a turn whose answer hangs, and the next turn works", async () => {
    // times: 1, because the next request repeats the interrupted prompt in its last user message.
    mock.on({ when: lastUserTextIncludes("never answered"), reply: { hang: true }, times: 1 });
    mock.on({ when: lastUserTextIncludes("after the interrupt"), reply: replyText("back again") });
    const claude = startHeadless();

    claude.send("never answered");
    await mock.waitForRequest(lastUserTextIncludes("never answered"));
    claude.sendLine({
      type: "control_request",
      request_id: "interrupt-1",
      request: { subtype: "interrupt" },
    });
    const interrupted = await claude.nextResult();
    claude.send("after the interrupt");
    const next = await claude.nextResult();

    expect(claude.lines).toContainEqual({
      type: "control_response",
      response: { subtype: "success", request_id: "interrupt-1" },
    });
    expect(interrupted).toMatchObject({ is_error: true, subtype: "error_during_execution" });
    expect(next).toMatchObject({ is_error: false, result: "back again" });
    expect(mock.requests[1]?.lastUserText).toBe(
      "never answered\n[Request interrupted by user]\nafter the interrupt",
    );
  });
});
