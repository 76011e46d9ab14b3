import { type Agent, emptyUsage } from "@cca/core";

/** An agent record for tests: a backend agent that has worked, with `fields` over it. */
export function agentRecord(id: string, fields: Partial<Agent> = {}): Agent {
  return {
    id,
    role: "backend",
    state: "ready",
    driver: "headless",
    pid: 4242,
    session_id: `session-${id}`,
    working_dir: `/work/${id}`,
    project: null,
    current_task_id: null,
    tasks_completed: 2,
    usage: { ...emptyUsage(), input_tokens: 120, output_tokens: 30 },
    last_tool: null,
    last_error: null,
    created_at: "2026-12-01T10:00:00.000Z",
    last_activity_at: "2026-12-01T10:05:00.000Z",
    ...fields,
  };
}
