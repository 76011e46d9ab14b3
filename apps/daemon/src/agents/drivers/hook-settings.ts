import { HTTP_HOOK_EVENTS } from "./hook-events.js";
import { HOOK_TOKEN_VARIABLE } from "./hook-listener.js";

/** The environment variable that carries the hook listener's URL to the SessionStart relay. */
export const HOOK_URL_VARIABLE = "CCA_HOOK_URL";

/**
 * Posts the hook event on stdin to the listener. SessionStart cannot be an HTTP hook, so
 * it runs this through Node (the daemon's own executable), once per process start.
 */
const RELAY_SCRIPT = [
  'let body="";',
  'process.stdin.on("data",(c)=>{body+=c}).on("end",()=>{',
  `fetch(process.env.${HOOK_URL_VARIABLE},{method:"POST",`,
  `headers:{"content-type":"application/json",authorization:"Bearer "+process.env.${HOOK_TOKEN_VARIABLE}},body})`,
  ".catch(()=>{}).finally(()=>process.exit(0))});",
].join("");

/** Quotes one word for the POSIX shell that runs a command hook. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `--settings` JSON for an interactive agent: every event the driver reads posted to
 * its listener, the credential interpolated from the environment (so it is in no file or
 * argv). A PermissionRequest hook may wait `permissionTimeoutS` for a person's answer.
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
    SessionStart: [
      {
        hooks: [
          {
            type: "command",
            command: `${shellQuote(options.nodePath)} -e ${shellQuote(RELAY_SCRIPT)}`,
            timeout: 30,
          },
        ],
      },
    ],
  };
  for (const event of HTTP_HOOK_EVENTS) {
    const timeout = event === "PermissionRequest" ? options.permissionTimeoutS + 30 : 30;
    hooks[event] = [{ matcher: "*", hooks: [http(timeout)] }];
  }
  return JSON.stringify({ hooks });
}
