import {
  type ActivityView,
  type DaemonStatus,
  formatCompactCount,
  formatCost,
  type TaskTree,
  totalTokens,
} from "@cca/core";
import { agentStateLabel, type RenderOptions, renderDaemonStatus, renderTable } from "./render.js";
import { renderActivityLines, renderTreeTable } from "./render-tree.js";

/** Everything `cca status` shows, as the daemon answered it. */
export interface TeamStatus {
  daemon: DaemonStatus;
  activity: ActivityView;
  /** The running and queued top-level tasks, each with its subtasks. */
  tasks: TaskTree[];
}

/** How many of the latest events `cca status` shows. */
const RECENT_EVENTS = 8;

/** `cca status`: the daemon line, the agents, the open tasks with their subtasks, the latest events. */
export function renderTeamStatus(team: TeamStatus, url: string, options: RenderOptions): string {
  const daemonLine = renderDaemonStatus(team.daemon, url).split("\n")[0] ?? "";
  const recent = team.activity.recent.slice(-RECENT_EVENTS);
  return [
    daemonLine,
    `agents\n${renderTeamAgents(team.activity.agents, options)}`,
    team.tasks.length === 0
      ? "tasks\nNo running or queued tasks."
      : `tasks\n${renderTreeTable(team.tasks, {
          ...options,
          firstHeader: "TASK",
          label: (task) => task.id,
          connectRoots: false,
        })}`,
    `recent activity\n${recent.length === 0 ? "No activity yet." : renderActivityLines(recent, options)}`,
  ].join("\n\n");
}

/** One line per agent: what it is, what it works on, what it last did, what it cost. */
export function renderTeamAgents(agents: ActivityView["agents"], options: RenderOptions): string {
  if (agents.length === 0) return "No agents.";
  const rows = agents.map((agent) => [
    agent.id,
    agent.role,
    agentStateLabel(agent.state),
    agent.current_task_id ?? "-",
    formatCompactCount(totalTokens(agent.usage)),
    formatCost(agent.usage.cost_usd),
    agent.last_tool?.summary ?? "-",
  ]);
  return renderTable(["ID", "ROLE", "STATE", "TASK", "TOKENS", "COST", "LAST TOOL"], rows, options.width);
}
