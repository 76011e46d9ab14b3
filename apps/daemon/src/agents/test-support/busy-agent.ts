// Test support: an agent record as the agent manager keeps it, busy on a task.
import type { Agent } from "@cca/core";
import { startingRecord } from "../agent-parts.js";

/** A busy headless agent of `role` working in `workingDir`. */
export function busyAgent(id: string, role: string, workingDir: string): Agent {
  const now = "2026-12-02T00:00:00.000Z";
  const record = startingRecord({
    id,
    role,
    driver: "headless",
    sessionId: `session-${id}`,
    workingDir,
    project: null,
    now,
  });
  return { ...record, state: "busy" };
}
