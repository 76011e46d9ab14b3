import { CcaError, noopLogger } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryDaemonClient } from "../test/fixtures/in-memory-daemon-client.js";
import { type TaskActivityWatcher, watchTaskActivity } from "./task-activity.js";

let watcher: TaskActivityWatcher | undefined;
afterEach(() => {
  watcher?.stop();
  watcher = undefined;
});

async function watch(daemon: InMemoryDaemonClient, taskId: string): Promise<TaskActivityWatcher> {
  watcher = watchTaskActivity({ client: daemon, taskId, logger: noopLogger });
  await daemon.eventsSubscribed();
  return watcher;
}

describe("watchTaskActivity", () => {
  it("keeps the summary of the task's latest event", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "root" });
    const activity = await watch(daemon, task.id);
    expect(activity.latest()).toBeUndefined();

    const toolUse = daemon.emit({
      kind: "agent.tool_use",
      agent_id: "coordinator_1",
      task_id: task.id,
      summary: "coordinator: running Bash: npm test",
    });
    await daemon.eventHandled(toolUse);
    expect(activity.latest()).toBe("coordinator: running Bash: npm test");

    const text = daemon.emit({
      kind: "agent.text",
      agent_id: "coordinator_1",
      task_id: task.id,
      summary: "coordinator: Tests pass.",
    });
    await daemon.eventHandled(text);
    expect(activity.latest()).toBe("coordinator: Tests pass.");
  });

  it("follows subtasks at any depth and ignores other tasks and task-less events", async () => {
    const daemon = new InMemoryDaemonClient();
    const task = daemon.addTask({ description: "root" });
    const child = daemon.addTask({ description: "child", parent_id: task.id });
    const grandchild = daemon.addTask({ description: "grandchild", parent_id: child.id });
    const other = daemon.addTask({ description: "other" });
    const activity = await watch(daemon, task.id);

    await daemon.eventHandled(
      daemon.emit({
        kind: "agent.tool_use",
        agent_id: "backend_2",
        task_id: other.id,
        summary: "backend: running Bash: rm -rf build",
      }),
    );
    await daemon.eventHandled(
      daemon.emit({ kind: "agent.state", agent_id: "backend_2", task_id: null, summary: "backend: ready" }),
    );
    expect(activity.latest()).toBeUndefined();

    await daemon.eventHandled(
      daemon.emit({
        kind: "agent.tool_use",
        agent_id: "backend_1",
        task_id: grandchild.id,
        summary: "backend: running Edit: src/app.ts",
      }),
    );
    expect(activity.latest()).toBe("backend: running Edit: src/app.ts");
  });

  it("stays quiet when the event stream cannot be opened", async () => {
    const daemon = new InMemoryDaemonClient();
    daemon.failWith(new CcaError("daemon_unreachable", "down"), ["events"]);
    watcher = watchTaskActivity({ client: daemon, taskId: "task_1", logger: noopLogger });
    expect(daemon.calls).toEqual(["events"]);
    expect(watcher.latest()).toBeUndefined();
  });

  it("closes the event stream on stop", async () => {
    const daemon = new InMemoryDaemonClient();
    const activity = await watch(daemon, "task_1");
    activity.stop();
    await daemon.eventsClosed();
    expect(daemon.subscriberCount).toBe(0);
  });
});
