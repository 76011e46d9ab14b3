/** The roles CCA ships instructions for. Custom roles are configured in `[agents.roles.<name>]`. */
export const BUILTIN_ROLES = [
  "coordinator",
  "backend",
  "frontend",
  "dba",
  "devops",
  "security",
  "qa",
] as const;

export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

/** A role name: a built-in role or a configured custom one. */
export type Role = string;

/** What a role name may look like (it becomes part of file names and agent ids). */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
