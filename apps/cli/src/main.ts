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

process.exitCode = await run(hideBin(process.argv), { signal: interrupt.signal });
