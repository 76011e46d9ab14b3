import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../test/fixtures/in-memory-daemon-client.js";

const openSession = commandCenterSessions();

/**
 * A Command Center session whose client answers elicitations with `answer` (the form a person
 * filled in), or, without `answer`, one that does not advertise elicitation at all.
 */
async function open(daemon: InMemoryDaemonClient, answer?: (request: ElicitRequest) => ElicitResult) {
  const client = new Client(
    { name: "cca-test", version: "0.0.0" },
    { capabilities: answer ? { elicitation: {} } : {} },
  );
  const asked: ElicitRequest[] = [];
  if (answer) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request);
      return answer(request);
    });
  }
  await openSession(daemon, { clock: daemon.clock, waitLimitS: 1_000_000, mcpClient: client });
  return { client, asked };
}

/** A daemon whose first task (task_1) waits for the approval of a backend command. */
function daemonWithApproval(project: string | null = "/home/ada/shop") {
  const daemon = new InMemoryDaemonClient({ longPollAdvances: new ManualClock() });
  daemon.addApproval({ id: "approval_1", task_id: "task_1", project });
  return daemon;
}

describe("cca_task while an approval waits", () => {
  it("returns early, saying what waits and how to answer, when the client cannot be asked directly", async () => {
    const daemon = daemonWithApproval();
    const { client } = await open(daemon);
    const result = await client.callTool({ name: "cca_task", arguments: { description: "Add left-pad" } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain(
      "Task task_1 is waiting for your approval: backend wants to run `npm install left-pad`; answer with cca_approve " +
        '{"id":"approval_1","allow":true} (or "allow":false), then cca_status {"task_id":"task_1"} to keep waiting.',
    );
    expect(daemon.answers).toEqual([]);
    expect((await daemon.getTask("task_1")).status).toBe("queued");
  });

  it("asks the person through MCP elicitation and answers the approval as they chose, then keeps waiting", async () => {
    const daemon = daemonWithApproval();
    const { client, asked } = await open(daemon, () => ({
      action: "accept",
      content: { decision: "allow", message: "fine", remember: "project" },
    }));
    const call = client.callTool({ name: "cca_task", arguments: { description: "Add left-pad" } });
    expect(await daemon.nextApprovalAnswer()).toMatchObject({ id: "approval_1", status: "allowed" });
    daemon.completeTask("task_1", { result: "Installed left-pad." });
    const result = await call;
    expect(textOf(result)).toContain("Installed left-pad.");
    expect(daemon.answers).toEqual([{ id: "approval_1", allow: true, message: "fine", remember: "project" }]);
    expect(asked).toHaveLength(1);
    const params = asked[0]!.params as {
      message: string;
      requestedSchema: { properties: Record<string, { enum?: string[] }> };
    };
    expect(params.message).toBe(
      "CCA: the backend agent (backend_1) wants to run `npm install left-pad` for task task_1 in /home/ada/shop. Allow it?",
    );
    expect(params.requestedSchema.properties.decision?.enum).toEqual(["allow", "deny"]);
    expect(params.requestedSchema.properties.remember?.enum).toEqual(["no", "role", "project"]);
  });

  it("sends a denial with the person's message, and offers no project rule for a task without a project", async () => {
    const daemon = daemonWithApproval(null);
    const { client, asked } = await open(daemon, () => ({
      action: "accept",
      content: { decision: "deny", message: "vendor it instead", remember: "role" },
    }));
    const call = client.callTool({ name: "cca_task", arguments: { description: "Add left-pad" } });
    await daemon.nextApprovalAnswer();
    daemon.completeTask("task_1", { result: "Vendored it." });
    await call;
    expect(daemon.answers).toEqual([{ id: "approval_1", allow: false, message: "vendor it instead" }]);
    const schema = (
      asked[0]!.params as { requestedSchema: { properties: Record<string, { enum?: string[] }> } }
    ).requestedSchema;
    expect(schema.properties.remember?.enum).toEqual(["no", "role"]);
  });

  it("leaves the approval waiting and returns early when the person dismisses the question", async () => {
    const daemon = daemonWithApproval();
    const { client, asked } = await open(daemon, () => ({ action: "decline" }));
    const result = await client.callTool({ name: "cca_task", arguments: { description: "Add left-pad" } });
    expect(asked).toHaveLength(1);
    expect(textOf(result)).toContain("Task task_1 is waiting for your approval");
    expect(daemon.answers).toEqual([]);
    expect((await daemon.listApprovals()).map((approval) => approval.id)).toEqual(["approval_1"]);
  });
});
