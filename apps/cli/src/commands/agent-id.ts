/** The `<id>` of every `cca agent` command that names one agent. */
export const AGENT_ID_POSITIONAL = {
  type: "string",
  demandOption: true,
  description: "The agent's id, or a prefix of it that only it has (as `cca agent list` shows)",
} as const;
