import {
  type ActivityEvent,
  formatAge,
  formatCompactCount,
  formatCost,
  formatDuration,
  isTerminalStatus,
  type Task,
  type TaskTree,
  totalTokens,
} from "@cca/core";
import { createIdShortener } from "./layout/short-ids.js";
import { renderTable } from "./layout/table.js";
import { displayWidth } from "./layout/text-width.js";
import { type RenderOptions, renderTaskDetail, stateCell, truncate } from "./render.js";

/**
 * The role of the agent a task went to, from its id's prefix (`backend_3f9c…` → `backend`);
 * `—` while no agent has it.
 */
export function roleOfAgent(agentId: string | null): string {
  if (!agentId) return "—";
  const end = agentId.lastIndexOf("_");
  return end > 0 ? agentId.slice(0, end) : agentId;
}

/** How long a task took, or has been running so far; `-` before it starts. */
export function formatTaskTime(task: Task, now: Date): string {
  if (task.duration_ms !== null) return formatDuration(task.duration_ms);
  if (task.started_at && !isTerminalStatus(task.status)) {
    return formatDuration(Math.max(0, now.getTime() - Date.parse(task.started_at)));
  }
  return "-";
}

/** How many tasks hang below `tree`, at any depth. */
export function countSubtasks(tree: TaskTree): number {
  return tree.subtasks.reduce((sum, subtask) => sum + 1 + countSubtasks(subtask), 0);
}

/** Every task in the tree, the root first. */
export function flattenTree(tree: TaskTree): TaskTree[] {
  return [tree, ...tree.subtasks.flatMap(flattenTree)];
}

/**
 * A table of task trees, one line per task: `label` names each root, subtasks are named by
 * `subtaskLabel` (by default their role) and hang below their parent with tree lines. Tokens
 * and cost of a line count the task and everything below it, as `du` does.
 */
export function renderTreeTable(
  roots: readonly TaskTree[],
  options: RenderOptions & {
    firstHeader: string;
    label: (task: TaskTree) => string;
    subtaskLabel?: (task: TaskTree) => string;
    /** What the DESCRIPTION column says of a subtask; by default its description. */
    subtaskDescription?: (task: TaskTree) => string;
    connectRoots: boolean;
  },
): string {
  const rows: ReturnType<typeof row>[] = [];
  const subtaskLabel = options.subtaskLabel ?? roleLabel;
  const row = (task: TaskTree, label: string, description = task.description) => [
    label,
    stateCell(task.status, options),
    formatTaskTime(task, options.now),
    formatCompactCount(totalTokens(task.total_usage)),
    formatCost(task.total_usage.cost_usd),
    description,
  ];
  const describeSubtask = options.subtaskDescription ?? ((task: TaskTree) => task.description);
  const addChildren = (tasks: readonly TaskTree[], prefix: string, label: (task: TaskTree) => string) => {
    tasks.forEach((task, index) => {
      const last = index === tasks.length - 1;
      const description = label === subtaskLabel ? describeSubtask(task) : task.description;
      rows.push(row(task, `${prefix}${last ? "└─ " : "├─ "}${label(task)}`, description));
      addChildren(task.subtasks, `${prefix}${last ? "   " : "│  "}`, subtaskLabel);
    });
  };
  if (options.connectRoots) addChildren(roots, "", options.label);
  else {
    for (const root of roots) {
      rows.push(row(root, options.label(root)));
      addChildren(root.subtasks, "", subtaskLabel);
    }
  }
  return renderTable(
    [options.firstHeader, "STATUS", "TIME", "TOKENS", "COST", "DESCRIPTION"],
    rows,
    options.width,
  );
}

/**
 * `cca task list --tree`: each task with its parts below it, every line named by its short id;
 * a part's description starts with its role.
 */
export function renderTaskTreeList(trees: readonly TaskTree[], options: RenderOptions): string {
  if (trees.length === 0) return "No tasks.";
  const short = createIdShortener(trees.flatMap(flattenTree).map((task) => task.id));
  return renderTreeTable(trees, {
    ...options,
    firstHeader: "TASK",
    label: (task) => short(task.id),
    subtaskLabel: (task) => short(task.id),
    subtaskDescription: (task) => `${roleOfAgent(task.agent_id)}: ${task.description}`,
    connectRoots: false,
  });
}

function roleLabel(task: Task): string {
  return roleOfAgent(task.agent_id);
}

/**
 * `cca task status`: the task's detail (its usage the total over the whole tree), then its
 * subtasks as a tree. While watching, `activity` holds each agent's latest event; the ones of agents
 * working on a running task of the tree are shown last.
 */
export function renderTaskTreeStatus(
  tree: TaskTree,
  options: RenderOptions & { activity?: ReadonlyMap<string, ActivityEvent> },
): string {
  const subtasks = countSubtasks(tree);
  // The usage is the team's: the task and its subtasks, as everywhere else.
  const whose =
    subtasks > 0 ? ` (the team: the task and its ${subtasks} subtask${subtasks === 1 ? "" : "s"})` : "";
  const sections = [renderTaskDetail(tree, options, whose)];
  if (subtasks > 0) {
    const table = renderTreeTable(tree.subtasks, {
      ...options,
      firstHeader: "ROLE",
      label: roleLabel,
      connectRoots: true,
    });
    sections.push(`subtasks\n${table}`);
  }
  const activity = options.activity ? runningActivity(tree, options.activity) : [];
  if (activity.length > 0) sections.push(`activity\n${renderActivityLines(activity, options)}`);
  return sections.join("\n\n");
}

/** The latest event of each agent working on a running task of the tree. */
export function runningActivity(
  tree: TaskTree,
  latestByAgent: ReadonlyMap<string, ActivityEvent>,
): ActivityEvent[] {
  const events: ActivityEvent[] = [];
  for (const task of flattenTree(tree)) {
    if (task.status !== "running" || !task.agent_id) continue;
    const event = latestByAgent.get(task.agent_id);
    if (event && !events.includes(event)) events.push(event);
  }
  return events;
}

/** Events one per line: how long ago, then what happened (`12s  backend: running Bash: npm test`). */
export function renderActivityLines(events: readonly ActivityEvent[], options: RenderOptions): string {
  const ages = events.map((event) => formatAge(event.at, options.now.getTime()));
  const ageWidth = Math.max(0, ...ages.map((age) => displayWidth(age)));
  return events
    .map((event, index) => {
      const age = (ages[index] ?? "").padStart(ageWidth);
      return `  ${age}  ${truncate(event.summary, Math.max(20, options.width - ageWidth - 4))}`;
    })
    .join("\n");
}
