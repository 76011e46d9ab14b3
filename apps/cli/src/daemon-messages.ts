/** The `cca` command that does what a daemon route does, for the routes its messages point to. */
const COMMAND_FOR_ROUTE: Record<string, string> = {
  "GET /api/v1/agents": "cca agent list",
  "GET /api/v1/tasks": "cca task list",
  "GET /api/v1/approvals": "cca approvals",
  "GET /api/v1/approvals/rules": "cca approvals rules",
  "GET /api/v1/projects": "cca project list",
  "GET /api/v1/worktrees": "cca worktree list",
  "GET /api/v1/status": "cca status",
};

/** An HTTP route in a message, with the `(cca …)` some messages add after it. */
const ROUTE_IN_MESSAGE = /\b(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/[\w/:.-]*\w)(?: \((cca [^)]+)\))?/g;

/**
 * A `cca …` command with the route and MCP tool that do the same in brackets after it:
 * `cca task resume t (POST /api/v1/tasks/t/resume, or cca_resume)`.
 */
const COMMAND_WITH_ROUTE =
  /\b(cca [\w<> -]+?) \((?:GET|POST|PUT|PATCH|DELETE) \/api\/v1\/[^\s,()]*(?:, or \w+)?\)/g;

/**
 * A daemon message as a `cca` user needs it: routes it names (`list agents with GET
 * /api/v1/agents`) become the command to run (`` `cca agent list` ``), and a command named
 * with its route and MCP tool is only the command. The daemon speaks to every client (MCP,
 * HTTP, the CLI), so its messages name routes; the CLI says them its way.
 */
export function inTermsOfCli(message: string): string {
  return message
    .replace(COMMAND_WITH_ROUTE, (_whole, command: string) => `\`${command}\``)
    .replace(ROUTE_IN_MESSAGE, (route, method: string, path: string, named?: string) => {
      const command = named ?? COMMAND_FOR_ROUTE[`${method} ${path}`];
      return command ? `\`${command}\`` : route;
    });
}
