import { HTTP_HOOK_EVENTS, STATUS_LINE_EVENT } from "./hook-events.js";
import { HOOK_TOKEN_VARIABLE } from "./hook-listener.js";
import { relayCommand } from "./hook-relay.js";

/**
 * The `--settings` JSON for an interactive agent: every event the driver reads posted to
 * its listener, the credential interpolated from the environment (so it is in no file or
 * argv). A PermissionRequest hook may wait `permissionTimeoutS` for a person's answer.
 * SessionStart (which cannot be an HTTP hook) and the status line (Claude Code's own cost
 * and context figures, which nothing else reports in the TUI) go through the relay.
 */
export function hookSettings(options: { url: string; nodePath: string; permissionTimeoutS: number }): string {
  const http = (timeout: number) => ({
    type: "http",
    url: options.url,
    headers: { Authorization: `Bearer $${HOOK_TOKEN_VARIABLE}` },
    allowedEnvVars: [HOOK_TOKEN_VARIABLE],
    timeout,
  });
  const hooks: Record<string, unknown[]> = {
    SessionStart: [{ hooks: [{ type: "command", command: relayCommand(options.nodePath), timeout: 30 }] }],
  };
  for (const event of HTTP_HOOK_EVENTS) {
    const timeout = event === "PermissionRequest" ? options.permissionTimeoutS + 30 : 30;
    hooks[event] = [{ matcher: "*", hooks: [http(timeout)] }];
  }
  const statusLine = { type: "command", command: relayCommand(options.nodePath, STATUS_LINE_EVENT) };
  return JSON.stringify({ hooks, statusLine });
}
