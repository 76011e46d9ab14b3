import { emptyUsage, type Task, type TaskBudget, type TaskPriority, type TaskWorkspace } from "./schemas.js";

/** A task as it is first stored: queued, with nothing run and nothing spent. */
export function newTask(fields: {
  id: string;
  description: string;
  created_at: string;
  priority?: TaskPriority;
  parent_id?: string | null;
  project?: string | null;
  workspace?: TaskWorkspace | null;
  budget?: TaskBudget | null;
}): Task {
  return {
    id: fields.id,
    description: fields.description,
    priority: fields.priority ?? "normal",
    status: "queued",
    parent_id: fields.parent_id ?? null,
    project: fields.project ?? null,
    agent_id: null,
    session_id: null,
    result: null,
    error: null,
    usage: emptyUsage(),
    num_turns: null,
    created_at: fields.created_at,
    started_at: null,
    finished_at: null,
    duration_ms: null,
    agent_duration_ms: null,
    workspace: fields.workspace ?? null,
    budget: fields.budget ?? null,
    resumed_at: null,
  };
}
