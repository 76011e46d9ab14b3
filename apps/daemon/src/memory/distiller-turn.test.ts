import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CcaError, noopLogger, parseConfig } from "@cca/core";
import {
  claudeTestEnv,
  createMockAnthropic,
  type MockAnthropic,
  resolveClaudeBinary,
} from "@cca/mock-anthropic";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DISTILLER_SYSTEM_PROMPT } from "./distillation.js";
import { distillerTurn } from "./distiller-turn.js";

const SCHEMA = { type: "object", properties: { items: { type: "array" } }, required: ["items"] };
const isDistiller = (r: { systemText: string }) =>
  r.systemText.includes("You are the ReasoningBank distiller");

async function failure(work: Promise<unknown>): Promise<CcaError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof CcaError)) throw new Error(`expected a CcaError, got ${String(error)}`);
  return error;
}

describe("the distiller's turn, with the real Claude Code on the mock", () => {
  let mock: MockAnthropic;
  let home: string;
  const turn = (claudePath = resolveClaudeBinary()) =>
    distillerTurn({
      config: parseConfig({ agents: { claude_path: claudePath }, memory: { distill_timeout_s: 2 } }),
      env: { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home }) },
      cwd: join(home, "distiller"),
      logger: noopLogger,
    });

  beforeAll(async () => {
    mock = await createMockAnthropic();
    home = mkdtempSync(join(tmpdir(), "cca-distiller-"));
  });
  afterAll(async () => {
    await mock.close();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => mock.reset());

  it("sends the prompt on the cheap model with the distiller's own system prompt and no tools, and reads the structured answer", async () => {
    const answer = {
      items: [{ title: "Run the migrations first", description: "", content: "Tests need them." }],
    };
    mock.on({
      when: (r) => isDistiller(r) && r.toolResults.length === 0,
      reply: {
        toolUses: [{ name: "StructuredOutput", input: answer }],
        usage: { input_tokens: 640, output_tokens: 40 },
      },
    });
    mock.on({ when: isDistiller, reply: { text: "done", usage: { input_tokens: 10, output_tokens: 2 } } });

    const outcome = await turn()("Task (completed):\nFix the tests", SCHEMA, new AbortController().signal);
    expect(outcome.isError).toBe(false);
    expect(outcome.structuredOutput).toEqual(answer);
    expect(outcome.usage.input_tokens).toBeGreaterThan(0);
    expect(outcome.totalCostUsd).toBeGreaterThan(0);

    const request = await mock.waitForRequest(isDistiller);
    expect(request.lastUserText).toBe("Task (completed):\nFix the tests");
    expect(request.systemText).toContain(DISTILLER_SYSTEM_PROMPT);
    expect(request.toolNames).toEqual(["StructuredOutput"]);
    expect(request.body.model).toMatch(/haiku/);
  });

  it("stops a turn that outlives its deadline, or that the daemon stops, and says which", async () => {
    mock.on({ when: isDistiller, reply: { hang: true } });
    const late = await failure(turn()("Task", SCHEMA, new AbortController().signal));
    expect(late.code).toBe("timeout");
    expect(late.message).toContain("did not end within 2000 ms");

    const stop = new AbortController();
    const stopped = turn()("Task", SCHEMA, stop.signal);
    await mock.waitForRequest(isDistiller);
    stop.abort();
    expect((await failure(stopped)).code).toBe("interrupted");
  });

  it("names a Claude Code that is not there", async () => {
    const error = await failure(turn("/nonexistent/claude")("Task", SCHEMA, new AbortController().signal));
    expect(error.code).toBe("claude_not_found");
    expect(error.message).toContain("agents.claude_path");
  });
});
