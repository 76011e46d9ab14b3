import {
  formatAge,
  formatCompactCount,
  formatGroupedCount,
  type RlStatus,
  type RlTrainResult,
  type RoutePreview,
  type RoutingPolicy,
  type RoutingSource,
  type RoutingSourceStats,
} from "@cca/core";
import { fitLines, renderTable } from "./layout/table.js";
import { displayWidth, truncateToWidth } from "./layout/text-width.js";
import type { RenderOptions } from "./render.js";

/** What each policy routes, as people call it. */
const POLICY_SUBJECT: Record<RoutingPolicy, string> = {
  task: "top-level tasks",
  part: "delegated parts",
};

/** Who made a decision, as a sentence ends. */
const SOURCE_PHRASE: Record<RoutingSource, string> = {
  heuristic: "by the heuristic",
  learned: "by the learned policy",
  explore: "exploring another role",
  override: "as named (--role)",
};

/** How to turn learning on, for every answer of a daemon whose learning is off. */
export const LEARNING_OFF_HINT =
  "Turn it on: `[learning] enabled = true` in cca.toml, then restart the daemon.";

const MODE_LINE: Record<Exclude<RlStatus["mode"], "off">, string> = {
  on: "on (the learned policy routes where its gates pass)",
  shadow: "shadow (learning only: the heuristic routes every task)",
};

const plural = (count: number, noun: string) =>
  `${formatGroupedCount(count)} ${noun}${count === 1 ? "" : "s"}`;

/** A reward or estimate to two decimals, never `-0.00`. */
const decimal = (value: number) => (Math.abs(value) < 0.005 ? 0 : value).toFixed(2);

/** A share (0..1) as a whole percentage, or `-` before any outcome. */
const percent = (share: number | null) => (share === null ? "-" : `${Math.round(share * 100)}%`);

/** `cca rl stats`: the mode and gates, then per policy its training and a table of outcomes by source. */
export function renderRlStatus(status: RlStatus, options: RenderOptions): string {
  if (status.mode === "off") {
    return fitLines(
      [
        "Learned routing is off: the heuristic routes every task, nothing is recorded.",
        LEARNING_OFF_HINT,
      ].join("\n"),
      options.width,
    );
  }
  const { gates } = status;
  const lines = [
    `Learned routing: ${MODE_LINE[status.mode]}`,
    `algorithm: ${status.algorithm}; gates: min_support ${gates.min_support}, min_confidence ${gates.min_confidence}, explore ${gates.explore}`,
  ];
  const now = options.now.getTime();
  for (const policy of status.policies) {
    const saved =
      policy.checkpoint_at === null ? "not saved yet" : `saved ${formatAge(policy.checkpoint_at, now)} ago`;
    lines.push(
      "",
      `${policy.policy} policy (${POLICY_SUBJECT[policy.policy]}): trained on ${plural(policy.trained_on, "experience")}, ${saved}`,
      ...wrapWords(
        `arms: ${policy.arms.map((arm) => `${arm.role}/${arm.tier}`).join(", ") || "(none)"}`,
        options.width,
      ),
    );
    if (policy.by_source.length === 0) {
      lines.push("No decisions yet.");
      continue;
    }
    lines.push(
      renderTable(
        ["SOURCE", "DECISIONS", "SETTLED", "SUCCESS", "MEAN TOKENS", "MEAN REWARD"],
        policy.by_source.map(sourceRow),
        options.width,
      ),
    );
  }
  return fitLines(lines.join("\n"), options.width);
}

function sourceRow(stats: RoutingSourceStats): string[] {
  return [
    stats.source,
    String(stats.decisions),
    String(stats.settled),
    percent(stats.success_rate),
    stats.mean_tokens === null ? "-" : formatCompactCount(Math.round(stats.mean_tokens)),
    stats.mean_reward === null ? "-" : decimal(stats.mean_reward),
  ];
}

/** `cca rl train`: how many settled experiences each rebuilt model read. */
export function renderRlTrainResult(result: RlTrainResult): string {
  if (result.policies.length === 0) {
    return `Learned routing is off: there is no model to rebuild.\n${LEARNING_OFF_HINT}`;
  }
  return [
    "Rebuilt the routing models from every settled experience:",
    ...result.policies.map(
      (policy) => `  ${policy.policy} policy: trained on ${plural(policy.trained_on, "experience")}`,
    ),
  ].join("\n");
}

/** `cca rl policy`: where the router would send a description now and why, then every arm's estimate, best first. */
export function renderRoutePreview(preview: RoutePreview, options: RenderOptions): string {
  const chosen = `${preview.role}/${preview.tier}`;
  const heuristic = `${preview.heuristic.role}/${preview.heuristic.tier}`;
  const agrees = chosen === heuristic || preview.source === "override";
  const decision = `${preview.policy} policy: ${chosen}, ${SOURCE_PHRASE[preview.source]}${agrees ? "" : ` (the heuristic's choice: ${heuristic})`}`;
  const lines = [
    // The explanation carries the numbers the decision rests on: wrapped, never cut.
    ...wrapWords(decision, options.width),
    ...wrapWords(preview.explanation, options.width),
    "",
  ];
  if (preview.estimates.length === 0) {
    lines.push("No estimates: learned routing is off.", LEARNING_OFF_HINT);
    return fitLines(lines.join("\n"), options.width);
  }
  const estimates = [...preview.estimates].sort((a, b) => b.q - a.q || a.role.localeCompare(b.role));
  const note = (estimate: (typeof estimates)[number]) => {
    const arm = `${estimate.role}/${estimate.tier}`;
    return [arm === chosen ? "chosen" : "", arm === heuristic ? "heuristic's" : ""]
      .filter(Boolean)
      .join(", ");
  };
  lines.push(
    renderTable(
      ["ROLE", "TIER", "Q", "±STD", "N", "NOTE"],
      estimates.map((estimate) => [
        estimate.role,
        estimate.tier,
        decimal(estimate.q),
        `±${decimal(estimate.std)}`,
        String(Math.round(estimate.support)),
        note(estimate),
      ]),
      options.width,
    ),
  );
  return fitLines(lines.join("\n"), options.width);
}

/** `text` broken at spaces into lines of at most `width` columns (a word too long for one is cut). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const longer = line === "" ? word : `${line} ${word}`;
    if (displayWidth(longer) <= width) line = longer;
    else {
      if (line !== "") lines.push(line);
      line = truncateToWidth(word, width);
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
