import {
  createDaemonClient,
  type DaemonClient,
  type Env,
  readAccessToken,
  resolveDaemonUrl,
} from "@cca/core";

/**
 * A daemon client configured from the environment (`CCA_DAEMON_URL`, `CCA_TOKEN`, `CCA_HOME`).
 * The token is read again for every request: Claude Code often starts `cca-mcp` before the
 * daemon has ever run and written `$CCA_HOME/token`, and a restarted daemon may write a new one.
 */
export function createDaemonClientFromEnv(env: Env = process.env): DaemonClient {
  return createDaemonClient({ baseUrl: resolveDaemonUrl(env), token: () => readAccessToken(env) });
}
