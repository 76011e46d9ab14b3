import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Agent, BUILTIN_ROLES, emptyUsage, newId, newTask, type Task } from "@cca/core";
import { AgentRepository, migrate, openDatabase, TaskRepository } from "@cca/memory";

/** The daemon name the seeded records carry: one that ran before and stopped cleanly. */
const SEED_DAEMON = "ccad-bench-seed";

function endedTask(index: number, agent: Agent, endedAt: number): Task {
  const created = endedAt - 60_000;
  return {
    ...newTask({
      id: newId("task"),
      description: `seeded task ${index}`,
      created_at: new Date(created).toISOString(),
    }),
    status: "completed",
    agent_id: agent.id,
    session_id: agent.session_id,
    result: `seeded result ${index}`,
    usage: { ...emptyUsage(), input_tokens: 1200, output_tokens: 80 },
    num_turns: 1,
    started_at: new Date(created + 5).toISOString(),
    finished_at: new Date(endedAt).toISOString(),
    duration_ms: 60_000,
    agent_duration_ms: 59_000,
  };
}

function stoppedAgent(index: number, at: string): Agent {
  const role = BUILTIN_ROLES[index % BUILTIN_ROLES.length]!;
  const id = newId(role);
  return {
    id,
    role,
    state: "stopped",
    driver: "headless",
    pid: null,
    session_id: randomUUID(),
    working_dir: join(tmpdir(), "cca-bench-seed", id),
    project: null,
    current_task_id: null,
    tasks_completed: 1,
    usage: emptyUsage(),
    last_tool: null,
    last_error: null,
    created_at: at,
    last_activity_at: at,
  };
}

/**
 * Writes what a daemon that ran for a while and stopped cleanly leaves behind, straight
 * through `@cca/memory` while no daemon runs: `tasks` ended tasks and `agents` stopped
 * agents whose conversations are resumable. PGlite in `dataDir`, or PostgreSQL at `postgresUrl`.
 */
export async function seedRecords(options: {
  dataDir?: string;
  postgresUrl?: string;
  tasks: number;
  agents: number;
}): Promise<void> {
  const database = await openDatabase({ dataDir: options.dataDir, postgresUrl: options.postgresUrl });
  try {
    await migrate(database);
    const agentRepository = new AgentRepository(database);
    const taskRepository = new TaskRepository(database);
    const now = Date.now();
    const agents = Array.from({ length: options.agents }, (_, index) =>
      stoppedAgent(index, new Date(now - index * 1000).toISOString()),
    );
    for (const agent of agents) await agentRepository.save(agent, SEED_DAEMON);
    for (let index = 0; index < options.tasks; index++) {
      await taskRepository.insert(endedTask(index, agents[index % agents.length]!, now - index * 1000));
    }
    for (const agent of agents) {
      if (!(await agentRepository.markResumable(agent.id)))
        throw new Error(`seeded agent ${agent.id} is not resumable`);
    }
  } finally {
    await database.close();
  }
}
