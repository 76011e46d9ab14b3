import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const PLANTED = "The signup endpoint must answer 422 for a malformed email";

/** A team task whose brief carries a planted fact from the Coordinator to the backend. */
async function teamTask(t: ReturnType<typeof useMockAndCcad>) {
  t.mock.on({
    when: (r) => coordinator(r) && r.toolResults.length === 0,
    reply: {
      toolUses: [{ name: DELEGATE, input: { role: "backend", task: `Build POST /signup. ${PLANTED}.` } }],
    },
  });
  t.mock.on({ when: (r) => coordinator(r) && r.toolResults.length > 0, reply: replyText("combined") });
  t.mock.on({ when: backend, reply: replyText("endpoint built") });
  const { task } = await t.ccad.client.createTaskAndWait({ description: "Ship the signup flow" });
  expect(task.status, JSON.stringify(task.error)).toBe("completed");
  return {
    coordinator: await t.mock.waitForRequest(coordinator),
    backend: await t.mock.waitForRequest(backend),
  };
}

const bytes = (request: RecordedRequest) => Buffer.byteLength(JSON.stringify(request.body));

describe("minimal tools with real Claude Code", () => {
  const t = useMockAndCcad();

  it("gives each agent only its role's built-in tools and CCA's, and the planted fact still reaches the backend", async () => {
    const requests = await teamTask(t);
    const builtins = requests.backend.toolNames.filter((name) => !name.startsWith("mcp__"));
    expect(builtins.sort()).toEqual(["Bash", "Edit", "Glob", "Grep", "Read", "Write"]);
    expect(requests.coordinator.toolNames).toContain(DELEGATE);
    expect(requests.backend.lastUserText).toContain(PLANTED);
    // Claude Code's ~24 tool definitions were most of each request.
    expect(bytes(requests.backend)).toBeLessThan(30_000);
  });
});

describe("without token efficiency, with real Claude Code", () => {
  const t = useMockAndCcad({ env: { CCA__TOKEN_EFFICIENCY__ENABLED: "false" } });

  it("gives the agents every tool Claude Code has", async () => {
    const requests = await teamTask(t);
    expect(requests.backend.toolNames.filter((name) => !name.startsWith("mcp__")).length).toBeGreaterThan(15);
    expect(requests.backend.lastUserText).toContain(PLANTED);
    expect(bytes(requests.backend)).toBeGreaterThan(60_000);
  });
});
