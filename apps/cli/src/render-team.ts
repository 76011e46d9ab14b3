import {
  type ActivityView,
  type DaemonStatus,
  formatCompactCount,
  formatCost,
  type TaskTree,
  totalTokens,
} from "@cca/core";
import { createIdShortener } from "./layout/short-ids.js";
import { renderTable } from "./layout/table.js";
import { truncateToWidth } from "./layout/text-width.js";
import { agentStateLabel, type RenderOptions, renderDaemonStatus, stateCell } from "./render.js";
import { pausedTasksNote } from "./render-budget.js";
import { renderActivityLines, renderTreeTable } from "./render-tree.js";

/** Everything `cca status` shows, as the daemon answered it. */
export interface TeamStatus {
  daemon: DaemonStatus;
  activity: ActivityView;
  /** The running, queued and paused top-level tasks, each with its subtasks. */
  tasks: TaskTree[];
}

/** How many of the latest events `cca status` shows. */
const RECENT_EVENTS = 8;

/** `cca status`: the daemon line, the agents, the open tasks with their subtasks, the latest events. */
export function renderTeamStatus(team: TeamStatus, url: string, options: RenderOptions): string {
  const daemonLine = truncateToWidth(
    renderDaemonStatus(team.daemon, url).split("\n")[0] ?? "",
    options.width,
  );
  const shortTask = createIdShortener(team.tasks.map((task) => task.id));
  const recent = team.activity.recent.slice(-RECENT_EVENTS);
  const pausedNote = pausedTasksNote(team.tasks);
  return [
    daemonLine,
    `agents\n${renderTeamAgents(team.activity.agents, options)}`,
    team.tasks.length === 0
      ? "tasks\nNo running, queued or paused tasks."
      : `tasks\n${renderTreeTable(team.tasks, {
          ...options,
          firstHeader: "TASK",
          label: (task) => shortTask(task.id),
          connectRoots: false,
        })}${pausedNote ? `\n${pausedNote}` : ""}`,
    `recent activity\n${recent.length === 0 ? "No activity yet." : renderActivityLines(recent, options)}`,
  ].join("\n\n");
}

/**
 * One line per agent: what it is, what it works on, what it last did, what it cost. Ids are
 * shortened; an agent's id starts with its role, so the role has no column of its own.
 */
export function renderTeamAgents(agents: ActivityView["agents"], options: RenderOptions): string {
  if (agents.length === 0) return "No agents.";
  const shortAgent = createIdShortener(agents.map((agent) => agent.id));
  const shortTask = createIdShortener(agents.map((agent) => agent.current_task_id));
  const rows = agents.map((agent) => [
    shortAgent(agent.id),
    stateCell(agent.state, options, agentStateLabel(agent.state)),
    agent.current_task_id ? shortTask(agent.current_task_id) : "-",
    formatCompactCount(totalTokens(agent.usage)),
    formatCost(agent.usage.cost_usd),
    agent.last_tool?.summary ?? "-",
  ]);
  return renderTable(["ID", "STATE", "TASK", "TOKENS", "COST", "LAST TOOL"], rows, options.width);
}
