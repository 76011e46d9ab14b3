import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage, type TokenUsage } from "@cca/core";
import {
  callTool,
  claudeTestEnv,
  createMockAnthropic,
  hasToolResult,
  lastUserTextIncludes,
  type MockAnthropic,
  replyError,
  replyText,
  resolveClaudeBinary,
} from "@cca/mock-anthropic";
import { screenShows } from "@cca/pty";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DriverState, TurnResult } from "../agent-driver.js";
import { interactiveLaunchArgs } from "../launch-args.js";
import type { RoleProfile } from "../role-catalog.js";
import { InteractiveDriver, type PermissionAsker } from "./interactive.js";
import { interactiveTurnUsage } from "./turn-usage.js";

let mock: MockAnthropic;
beforeAll(async () => {
  mock = await createMockAnthropic();
});
afterAll(async () => {
  await mock.close();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  mock.reset();
});

const profile: RoleProfile = {
  role: "backend",
  instructions: "You are the backend agent.",
  allowedTools: ["Read"],
  tools: null,
  model: null,
  driver: "interactive",
};

interface Started {
  driver: InteractiveDriver;
  home: string;
  cwd: string;
  states: DriverState[];
  usageReads: { path: string; offset: number }[];
}

async function startDriver(
  options: {
    askPermission?: PermissionAsker;
    sessionId?: string;
    resume?: boolean;
    /** The home and folder of an earlier driver, whose conversation this one resumes. */
    home?: string;
    cwd?: string;
  } = {},
): Promise<Started> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "cca-tui-home-"));
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), "cca-tui-cwd-"));
  const usageReads: { path: string; offset: number }[] = [];
  // No trusted folders in the test env: the driver itself must seed what the TUI would ask about.
  const env = claudeTestEnv({ mockUrl: mock.url, home });
  rmSync(join(env.CLAUDE_CONFIG_DIR ?? "", ".claude.json"), { force: true });
  const driver = new InteractiveDriver({
    claudePath: resolveClaudeBinary(),
    args: (settings) =>
      interactiveLaunchArgs({
        profile,
        sessionId: options.sessionId ?? randomUUID(),
        resume: options.resume ?? false,
        skipPermissions: false,
        settings,
      }),
    cwd,
    env,
    startupTimeoutMs: 20_000,
    bypassPermissions: false,
    permissionTimeoutS: 60,
    askPermission: options.askPermission,
    label: "CCA test agent",
    turnUsage: async (path, offset, how): Promise<TokenUsage> => {
      usageReads.push({ path, offset });
      return await interactiveTurnUsage(path, offset, how);
    },
  });
  const states: DriverState[] = [];
  driver.on("state", (state) => states.push(state));
  cleanups.push(async () => {
    await driver.stop(500);
    if (!options.cwd) rmSync(cwd, { recursive: true, force: true });
    if (!options.home) rmSync(home, { recursive: true, force: true });
  });
  await driver.start();
  return { driver, home, cwd, states, usageReads };
}

/**
 * A person types a prompt into the driver's terminal and submits it; the turn it starts
 * asks the person's permission for a Bash command and waits there. Resolves once it asks,
 * with the turn's end to come.
 */
async function personTurnAsking(driver: InteractiveDriver): Promise<{ ended: Promise<TurnResult> }> {
  const asking = new Promise<void>((resolve) =>
    driver.on("state", (state) => state === "waiting_input" && resolve()),
  );
  const ended = new Promise<TurnResult>((resolve) =>
    driver.on("typedTurn", (turn) => turn.phase === "ended" && resolve(turn.result)),
  );
  driver.terminal!.write("typed by a person");
  await screenShows(driver.terminal!, "typed by a person");
  driver.terminal!.write("\r");
  await asking;
  return { ended };
}

describe("InteractiveDriver, with the real Claude Code TUI on the mock", () => {
  it("starts with no dialog, and ends a turn on the Stop hook with its text", async () => {
    mock.on({
      when: lastUserTextIncludes("hello"),
      reply: replyText("Hello from the TUI", { input_tokens: 1234, output_tokens: 56 }),
    });
    const { driver, home, cwd, states, usageReads } = await startDriver();
    expect(states).toEqual(["starting", "ready"]);
    const seeded = JSON.parse(readFileSync(join(home, ".claude", ".claude.json"), "utf8"));
    expect(seeded.projects[cwd].hasTrustDialogAccepted).toBe(true);
    expect(driver.terminal).not.toBeNull();

    const result = await driver.sendTurn("hello");
    expect(result).toMatchObject({ text: "Hello from the TUI", isError: false, interrupted: false });
    expect(result.sessionId).toBe(driver.sessionId);
    // The mock's usage of the one model response, read from Claude Code's transcript.
    expect(result.usage).toMatchObject({ input_tokens: 1234, output_tokens: 56 });
    expect(usageReads).toHaveLength(1);
    expect(existsSync(usageReads[0]!.path)).toBe(true);
    expect(states.slice(-2)).toEqual(["busy", "ready"]);
    // Claude Code's own cost of the call, from its status line (the TUI reports it nowhere else).
    expect(result.usage.cost_usd).toBeGreaterThan(0);
    expect(result.totalCostUsd).toBe(result.usage.cost_usd);
    // The screen shows the conversation, for whoever attaches (it renders after the hook),
    // and the status line says whose agent it is.
    await screenShows(driver.terminal!, "Hello from the TUI");
    await screenShows(driver.terminal!, "CCA test agent");
  });

  it("counts a prompt a person typed into the terminal as a turn, and runs CCA's next turn after it", async () => {
    mock.on({
      when: lastUserTextIncludes("typed by a person"),
      times: 1,
      reply: {
        ...callTool("Bash", { command: "echo typed > typed.txt", description: "write" }),
        usage: { input_tokens: 200, output_tokens: 3 },
      },
    });
    mock.on({
      when: hasToolResult,
      reply: replyText("answer to the person", { input_tokens: 300, output_tokens: 7 }),
    });
    mock.on({ when: lastUserTextIncludes("from CCA"), reply: replyText("answer to CCA") });
    const asked: string[] = [];
    const { driver, cwd } = await startDriver({
      askPermission: async (question) => {
        asked.push(question.tool_name);
        return { allow: true };
      },
    });
    const seen: string[] = [];
    driver.on("typedTurn", (turn) =>
      seen.push(turn.phase === "started" ? `started: ${turn.prompt}` : `ended: ${turn.result.text}`),
    );
    // The person's turn asks its permission question in the terminal, where the person is.
    const { ended } = await personTurnAsking(driver);
    expect(driver.busy).toBe(true);
    const next = driver.sendTurn("from CCA");
    driver.terminal!.write("\r"); // the person allows it
    const typed = await ended;
    expect(typed).toMatchObject({ text: "answer to the person", isError: false });
    // Both of the turn's model calls, from the transcript.
    expect(typed.usage).toMatchObject({ input_tokens: 500, output_tokens: 10 });
    expect(typed.usage.cost_usd).toBeGreaterThan(0);
    expect((await next).text).toBe("answer to CCA");
    expect(seen).toEqual(["started: typed by a person", "ended: answer to the person"]);
    expect(asked).toEqual([]);
    expect(readFileSync(join(cwd, "typed.txt"), "utf8")).toBe("typed\n");
    // CCA's prompt went in only after the person's turn had ended.
    const order = mock.requests.map((request) => request.lastUserText);
    expect(order.indexOf("from CCA")).toBeGreaterThan(mock.requests.findIndex(hasToolResult));
  });

  it("on an interrupt during a person's turn, ends only CCA's turn waiting behind it", async () => {
    mock.on({
      when: lastUserTextIncludes("typed by a person"),
      times: 1,
      reply: callTool("Bash", { command: "echo typed > typed.txt", description: "write" }),
    });
    mock.on({ when: hasToolResult, reply: replyText("answer to the person") });
    const { driver } = await startDriver();
    const { ended } = await personTurnAsking(driver);
    const waiting = driver.sendTurn("from CCA");
    expect(await driver.interrupt({ deadlineMs: 2_000 })).toBe(true);
    expect(await waiting).toMatchObject({ interrupted: true, text: "" });
    driver.terminal!.write("\r"); // the person allows it: their turn goes on
    expect((await ended).text).toBe("answer to the person");
    expect(mock.requests.some((request) => request.lastUserText === "from CCA")).toBe(false);
  });

  it("keeps a multi-line prompt whole and reports tool calls from PostToolUse", async () => {
    mock.on({
      when: lastUserTextIncludes("read the notes"),
      times: 1,
      reply: callTool("Read", { file_path: "/etc/hostname" }),
    });
    mock.on({
      when: hasToolResult,
      reply: (request) => replyText(`read ${request.toolResults.length} file`),
    });
    const { driver } = await startDriver();
    const tools: string[] = [];
    driver.on("toolUse", (use) => tools.push(use.name));
    const results: boolean[] = [];
    driver.on("toolResult", (result) => results.push(result.isError));
    const result = await driver.sendTurn("read the notes\nline two\nline three");
    expect(result.text).toBe("read 1 file");
    expect(tools).toEqual(["Read"]);
    expect(results).toEqual([false]);
    const prompt = mock.requests.find((request) => request.lastUserText?.includes("read the notes"));
    expect(prompt?.lastUserText).toContain("line two\nline three");
  });

  it("asks the approval handler through the PermissionRequest hook", async () => {
    mock.on({
      when: lastUserTextIncludes("write it"),
      times: 1,
      reply: callTool("Bash", { command: "echo approved > out.txt", description: "write" }),
    });
    mock.on({ when: hasToolResult, reply: replyText("wrote it") });
    const asked: string[] = [];
    const { driver, cwd, states } = await startDriver({
      askPermission: async (question) => {
        asked.push(`${question.tool_name} ${String(question.input.command)}`);
        return { allow: true };
      },
    });
    const result = await driver.sendTurn("write it");
    expect(result.text).toBe("wrote it");
    expect(asked).toEqual(["Bash echo approved > out.txt"]);
    expect(readFileSync(join(cwd, "out.txt"), "utf8")).toBe("approved\n");
    expect(states).toContain("waiting_input");
  });

  it("tells Claude Code a denial, which the turn then reports", async () => {
    mock.on({
      when: lastUserTextIncludes("delete it"),
      times: 1,
      reply: callTool("Bash", { command: "rm -rf build", description: "delete" }),
    });
    mock.on({
      when: hasToolResult,
      reply: (request) => replyText(`tool said: ${request.toolResults[0]?.content}`),
    });
    const { driver } = await startDriver({
      askPermission: async () => ({ allow: false, message: "not on a Friday" }),
    });
    const result = await driver.sendTurn("delete it");
    expect(result.text).toContain("not on a Friday");
  });

  it("reports a turn that ended on an API error", async () => {
    mock.on({
      when: lastUserTextIncludes("fail"),
      reply: replyError(400, "invalid_request_error", "mock: bad request"),
    });
    const { driver } = await startDriver();
    const result = await driver.sendTurn("fail please");
    expect(result.isError).toBe(true);
  });

  it("interrupts a running turn with Esc, and the next turn works", async () => {
    mock.on({ when: lastUserTextIncludes("slow"), reply: { hang: true } });
    mock.on({ when: lastUserTextIncludes("after"), reply: replyText("after the interrupt") });
    const { driver } = await startDriver();
    const turn = driver.sendTurn("slow work");
    await mock.waitForRequest((request) => request.lastUserText?.includes("slow") ?? false);
    expect(await driver.interrupt({ deadlineMs: 2_000 })).toBe(true);
    expect(await turn).toMatchObject({ interrupted: true });
    const next = await driver.sendTurn("after");
    expect(next.text).toBe("after the interrupt");
    const last = mock.requests.at(-1);
    expect(last?.lastUserText).toBe("after");
  });

  it("resumes its conversation in a new process", async () => {
    mock.on({ when: lastUserTextIncludes("remember"), reply: replyText("noted") });
    mock.on({
      when: lastUserTextIncludes("recall"),
      reply: (request) => replyText(`messages: ${request.body.messages.length}`),
    });
    const first = await startDriver();
    await first.driver.sendTurn("remember 42");
    const sessionId = first.driver.sessionId!;
    await first.driver.stop(500);
    const second = await startDriver({ sessionId, resume: true, home: first.home, cwd: first.cwd });
    expect(second.driver.sessionId).toBe(sessionId);
    const result = await second.driver.sendTurn("recall");
    // The earlier exchange went along: more than the one new user message.
    expect(Number(result.text.replace("messages: ", ""))).toBeGreaterThan(1);
  });

  it("fails to start with what the screen showed when Claude Code exits at once", async () => {
    const home = mkdtempSync(join(tmpdir(), "cca-tui-home-"));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const driver = new InteractiveDriver({
      claudePath: resolveClaudeBinary(),
      args: () => ["--no-such-flag"],
      cwd: home,
      env: claudeTestEnv({ mockUrl: mock.url, home }),
      startupTimeoutMs: 20_000,
      bypassPermissions: false,
      permissionTimeoutS: 60,
      turnUsage: async () => emptyUsage(),
    });
    await expect(driver.start()).rejects.toMatchObject({
      code: "agent_spawn_failed",
      message: expect.stringContaining("no-such-flag"),
    });
    expect(driver.exited).toBe(true);
  });
});
