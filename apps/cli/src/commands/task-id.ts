/** The `<id>` of every `cca task` command that names one task. */
export const TASK_ID_POSITIONAL = {
  type: "string",
  demandOption: true,
  description: "The task's id, or a prefix of it that only it has (as `cca task list` shows)",
} as const;
