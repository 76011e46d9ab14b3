import { type Agent, CcaError, readAccessToken } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import { connectAgentAttach } from "../attach/attach-client.js";
import { runTerminalAttach } from "../attach/raw-terminal.js";
import { runTranscriptAttach } from "../attach/transcript-view.js";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderTaskLine } from "../render.js";
import { AGENT_ID_POSITIONAL } from "./agent-id.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";
import { waitForTaskEnd } from "./task-wait.js";

const ATTACH_HELP = [
  "An interactive agent is a raw terminal: what you type goes to Claude Code (Ctrl-C too), your",
  "window size follows, and Ctrl-] detaches. A headless agent is a live transcript: its activity",
  "as it happens, and each line you type is a turn for it (queued while it is busy); Ctrl-D,",
  "Ctrl-C or Ctrl-] detaches. Detaching leaves the agent running; attach again any time.",
].join("\n");

/** `cca agent attach <id>`: sit in an agent (interactive: its terminal; headless: its live transcript). */
export function createAgentAttachCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs & { id: string }> {
  return {
    command: "attach <id>",
    describe:
      "Sit in an agent: its terminal (interactive) or its live transcript (headless); Ctrl-] detaches",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .positional("id", AGENT_ID_POSITIONAL)
        .epilog(ATTACH_HELP)
        .example("$0 agent attach backend_7b21", "Watch it work; type to send it a turn; Ctrl-] to leave"),
    handler: async (argv) => setExitCode(await attachToAgent(context, argv)),
  };
}

/** `cca agent send <id> <message..>`: a turn for one agent, as a task pinned to it. */
export function createAgentSendCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs & { id: string; message: string[]; wait: boolean; json: boolean }> {
  return {
    command: "send <id> <message..>",
    describe: "Send an agent a message as a turn (a task pinned to it; it waits while the agent is busy)",
    builder: (yargs: Argv<GlobalArgs>) =>
      withJsonOption(yargs)
        .positional("id", AGENT_ID_POSITIONAL)
        .positional("message", {
          type: "string",
          array: true,
          demandOption: true,
          default: undefined,
          description: "What to tell it (the words are joined with spaces)",
        })
        .option("wait", {
          type: "boolean",
          default: true,
          description: "Wait for the answer and print it (--no-wait: print the task and return)",
        })
        .check((argv) => (argv.message.join(" ").trim() === "" ? "The message must not be empty." : true))
        .example(
          '$0 agent send backend_7b21 "Now add tests for that"',
          "A turn for that agent; prints its answer",
        )
        .example(
          "$0 agent send backend_7b21 --no-wait Run the linter",
          "Queue it; follow with cca task status",
        ),
    handler: async (argv) => setExitCode(await sendToAgent(context, argv)),
  };
}

async function sendToAgent(
  context: CommandContext,
  argv: GlobalArgs & { id: string; message: string[]; wait: boolean; json: boolean },
): Promise<number> {
  const client = context.client(argv);
  const agentId = await createIdResolver(client).agent(argv.id);
  const agent = liveAgent(await client.getAgent(agentId));
  const task = await client.sendAgentMessage(agentId, argv.message.join(" ").trim());
  if (!argv.wait) {
    if (argv.json) context.printJson(task);
    else context.print(renderTaskLine(task, context.renderOptions()));
    return EXIT_CODES.ok;
  }
  if (!argv.json && agent.state !== "ready") {
    context.warn(`Agent ${agentId} is ${agent.state}; the message waits for its turn.`);
  }
  return waitForTaskEnd(context, client, task, { json: argv.json });
}

async function attachToAgent(context: CommandContext, argv: GlobalArgs & { id: string }): Promise<number> {
  const client = context.client(argv);
  const agentId = await createIdResolver(client).agent(argv.id);
  liveAgent(await client.getAgent(agentId));
  const connection = await connectAgentAttach({
    baseUrl: context.locate(argv).url,
    token: readAccessToken(context.env),
    agentId,
  });
  const { hello } = connection;
  const again = `\`cca agent attach ${agentId}\``;
  if (hello.mode === "terminal") {
    context.warn(
      `Attached to ${hello.role} agent ${agentId}'s terminal. Ctrl-] detaches; the agent keeps running.`,
    );
    const end = await runTerminalAttach(connection, {
      stdin: process.stdin,
      stdout: process.stdout,
      signal: context.signal,
    });
    if (end.how === "detached")
      context.warn(`\nDetached; agent ${agentId} keeps running (${again} to come back).`);
    else if (end.how === "exited") {
      context.warn(`\nAgent ${agentId}'s Claude Code exited (${end.signal ?? `code ${end.code}`}).`);
    } else return closedByDaemon(context, agentId, end);
    return EXIT_CODES.ok;
  }
  context.warn(
    `Attached to ${hello.role} agent ${agentId}'s transcript. Each line you type is a turn for it; Ctrl-D or Ctrl-] detaches.`,
  );
  const end = await runTranscriptAttach(connection, {
    stdin: process.stdin,
    stdout: process.stdout,
    signal: context.signal,
  });
  if (end.how === "detached")
    context.warn(`Detached; agent ${agentId} keeps running (${again} to come back).`);
  else return closedByDaemon(context, agentId, end);
  return EXIT_CODES.ok;
}

/** The daemon ended the stream: the agent stopped (fine), or something went wrong. */
function closedByDaemon(
  context: CommandContext,
  agentId: string,
  end: { code: number; reason: string },
): number {
  context.warn(`\nThe attach to agent ${agentId} ended: ${end.reason || `close code ${end.code}`}.`);
  return end.code === 1000 ? EXIT_CODES.ok : EXIT_CODES.error;
}

/** The agent, unless it has stopped: then an error naming the commands that help. */
function liveAgent(agent: Agent): Agent {
  if (agent.state === "stopped" || agent.state === "failed" || agent.state === "stopping") {
    throw new CcaError(
      "agent_stopped",
      `Agent ${agent.id} has ${agent.state === "failed" ? "failed" : "stopped"}; list the live agents with \`cca agent list\`, or start one with \`cca agent spawn ${agent.role}\``,
      { details: { agent_id: agent.id, state: agent.state } },
    );
  }
  return agent;
}
