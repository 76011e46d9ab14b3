import { hideBin } from "yargs/helpers";
import { run } from "./cli.js";
import { EXIT_CODES } from "./exit-codes.js";

// The first Ctrl-C asks the running command to stop (watch, follow, wait, foreground); a second one exits now.
const interrupt = new AbortController();
const onSignal = () => {
  if (interrupt.signal.aborted) process.exit(EXIT_CODES.interrupted);
  interrupt.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

// A reader that stops early (`cca task diff … | head`, `cca status --watch --json | head`) is
// no error of ours: stop quietly, as git does. The same for stderr (`… 2>&1 | head`).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? EXIT_CODES.ok);
  });
}

process.exitCode = await run(hideBin(process.argv), { signal: interrupt.signal });
