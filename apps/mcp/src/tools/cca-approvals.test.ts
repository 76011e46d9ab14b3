import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_approvals", () => {
  it("lists what waits for the user's approval, with how to answer", async () => {
    const daemon = new InMemoryDaemonClient({ clock: new ManualClock() });
    daemon.addApproval({ id: "approval_1", task_id: "task_9", project: "/home/ada/shop" });
    const client = await open(daemon, { clock: new ManualClock() });
    const text = textOf(await client.callTool({ name: "cca_approvals", arguments: {} }));
    expect(text).toContain("1 tool use waits for your approval:");
    expect(text).toContain(
      "- approval_1 · backend (backend_1) wants to run `npm install left-pad` · task task_9 · project /home/ada/shop · waiting 0s",
    );
    expect(text).toContain('cca_approve {"id":"…","allow":true}');
  });

  it("says so when nothing waits", async () => {
    const client = await open(new InMemoryDaemonClient());
    expect(textOf(await client.callTool({ name: "cca_approvals", arguments: {} }))).toBe(
      "No approvals are waiting for you.",
    );
  });
});

describe("cca_approve", () => {
  it("allows a tool use and remembers it for the role", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.addApproval({ id: "approval_1", task_id: "task_9" });
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_approve",
      arguments: { id: "approval_1", allow: true, remember: "role" },
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      "Allowed: backend (backend_1) may run `npm install left-pad` (approval_1). Remembered for the backend role: the same use no longer asks (cca approvals rules lists the rules).",
    );
    expect(daemon.answers).toEqual([{ id: "approval_1", allow: true, remember: "role" }]);
  });

  it("denies with a message for the agent", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.addApproval({ id: "approval_1", task_id: "task_9" });
    const client = await open(daemon);
    const result = await client.callTool({
      name: "cca_approve",
      arguments: { id: "approval_1", allow: false, message: "vendor it" },
    });
    expect(textOf(result)).toBe(
      "Denied: backend (backend_1) may not run `npm install left-pad` (approval_1). Message to the agent: vendor it.",
    );
  });

  it("reports an unknown or already answered approval as a tool error", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.addApproval({ id: "approval_1", task_id: "task_9" });
    const client = await open(daemon);
    const unknown = await client.callTool({
      name: "cca_approve",
      arguments: { id: "approval_x", allow: true },
    });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe('No approval with id "approval_x" [approval_not_found]');
    await client.callTool({ name: "cca_approve", arguments: { id: "approval_1", allow: true } });
    const again = await client.callTool({
      name: "cca_approve",
      arguments: { id: "approval_1", allow: false },
    });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain("[approval_answered]");
  });

  it("refuses an answer without allow, saying what it needs", async () => {
    const client = await open(new InMemoryDaemonClient());
    const result = await client.callTool({ name: "cca_approve", arguments: { id: "approval_1" } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("allow is required: true to allow the tool use, false to deny it");
  });
});
