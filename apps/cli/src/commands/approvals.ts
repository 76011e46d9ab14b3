import { APPROVAL_REMEMBER, type ApprovalRemember, formatAge } from "@cca/core";
import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { renderApprovalRules, renderApprovalTable } from "../render-approvals.js";
import { type GlobalArgs, type SetExitCode, withJsonOption } from "./shared.js";

/** `cca approvals [rules [remove <id>]]`: what the agents wait for you to approve, and the remembered answers. */
export function createApprovalsCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, GlobalArgs & { json: boolean }> {
  return {
    command: "approvals",
    describe:
      "The tool uses agents wait for you to approve (answer with cca approve); rules: remembered answers",
    builder: (yargs: Argv<GlobalArgs>) =>
      withJsonOption(yargs)
        .command(
          "rules",
          "The remembered answers: tool uses a role (or a role in one project) may make without asking",
          (rules) =>
            withJsonOption(rules)
              .command(
                "remove <id>",
                "Remove a rule: that tool use asks again",
                (command) =>
                  withJsonOption(command)
                    .positional("id", { type: "string", demandOption: true, description: "The rule's id" })
                    .example("$0 approvals rules remove rule_4b1c9e", "Ask again before that command"),
                async (argv) => {
                  const client = context.client(argv);
                  const rule = await client.deleteApprovalRule(await createIdResolver(client).rule(argv.id));
                  if (argv.json) context.printJson(rule);
                  else
                    context.print(
                      `Removed rule ${rule.id}: ${rule.role} asks again before ${ruleTarget(rule)}.`,
                    );
                  setExitCode(EXIT_CODES.ok);
                },
              )
              .example("$0 approvals rules", "One line per rule")
              .example("$0 approvals rules remove rule_4b1c9e", "Remove one"),
          async (argv) => {
            const rules = await context.client(argv).listApprovalRules();
            if (argv.json) context.printJson(rules);
            else context.print(renderApprovalRules(rules, context.renderOptions()));
            setExitCode(EXIT_CODES.ok);
          },
        )
        .example("$0 approvals", "What waits for your approval")
        .example("$0 approve approval_9d2e41", "Allow one")
        .example("$0 approvals rules", "The remembered answers"),
    handler: async (argv) => {
      const approvals = await context.client(argv).listApprovals();
      if (argv.json) context.printJson(approvals);
      else context.print(renderApprovalTable(approvals, context.renderOptions()));
      setExitCode(EXIT_CODES.ok);
    },
  };
}

interface ApproveArgs extends GlobalArgs {
  id: string;
  deny: boolean;
  message?: string;
  remember?: ApprovalRemember;
  json: boolean;
}

/** `cca approve <id> [--deny] [--message M] [--remember role|project]`: answer one approval. */
export function createApproveCommand(
  context: CommandContext,
  setExitCode: SetExitCode,
): CommandModule<GlobalArgs, ApproveArgs> {
  return {
    command: "approve <id>",
    describe: "Allow (or --deny) a tool use an agent waits for; cca approvals lists them",
    builder: (yargs: Argv<GlobalArgs>) =>
      withJsonOption(yargs)
        .positional("id", {
          type: "string",
          demandOption: true,
          description: "The approval's id (approval_…), or a prefix of it that only it has",
        })
        .option("deny", {
          type: "boolean",
          default: false,
          description: "Deny it: the agent is told so, with --message",
        })
        .option("message", {
          alias: "m",
          type: "string",
          description: "For the agent: why not, or what to do instead",
        })
        .option("remember", {
          choices: APPROVAL_REMEMBER,
          description:
            "With allow, remember the answer: for the role, or for the role in this project (Bash: that exact command; other tools: the tool)",
        })
        .check((argv) =>
          argv.deny && argv.remember
            ? "--remember goes with allowing only: a rule allows a tool use without asking; deny without it."
            : true,
        )
        .example("$0 approve approval_9d2e41", "Allow it once")
        .example(
          '$0 approve approval_9d2e41 --deny -m "no network installs; vendor it"',
          "Deny it, saying why",
        )
        .example(
          "$0 approve approval_9d2e41 --remember project",
          "Allow it, and the same use in this project from now on",
        ) as unknown as Argv<ApproveArgs>,
    handler: async (argv) => {
      const client = context.client(argv);
      const approval = await client.answerApproval(await createIdResolver(client).approval(argv.id), {
        allow: !argv.deny,
        ...(argv.message !== undefined ? { message: argv.message } : {}),
        ...(argv.remember ? { remember: argv.remember } : {}),
      });
      if (argv.json) context.printJson(approval);
      else {
        const verdict = approval.status === "allowed" ? "Allowed" : "Denied";
        const remembered = approval.remember ? `; remembered for the ${approval.remember}` : "";
        context.print(
          `${verdict} ${approval.id}: ${approval.role} (${approval.agent_id}) may${approval.status === "allowed" ? "" : " not"} ${approval.summary}${remembered} (asked ${formatAge(approval.created_at, context.now().getTime())} ago).`,
        );
      }
      setExitCode(EXIT_CODES.ok);
    },
  };
}

function ruleTarget(rule: { tool_name: string; command: string | null; project: string | null }): string {
  const what = rule.command !== null ? `running \`${rule.command}\`` : `using ${rule.tool_name}`;
  return rule.project ? `${what} in ${rule.project}` : what;
}
