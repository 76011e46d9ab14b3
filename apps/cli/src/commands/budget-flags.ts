import type { TaskBudget } from "@cca/core";

/**
 * The names (without `--`) of a command's two budget flags, one in tokens and one in US
 * dollars: `cca task create --budget-tokens N --budget-usd X`.
 */
export const CREATE_BUDGET_FLAGS = { tokens: "budget-tokens", usd: "budget-usd" } as const;
/** `cca task resume <id> --tokens N --usd X`. */
export const RESUME_BUDGET_FLAGS = { tokens: "tokens", usd: "usd" } as const;

/** What the values may look like, for help texts and complaints. */
export const TOKENS_EXAMPLE = "200000, 200k or 1.5M";
export const USD_EXAMPLE = "2.50";

/** The budget two flags name (undefined when neither was given), or what is wrong with one. */
export type BudgetFlagsReading = { budget: TaskBudget | undefined } | { problem: string };

const TOKEN_MULTIPLIERS: Record<string, number> = { "": 1, k: 1_000, m: 1_000_000 };

/**
 * Reads a budget from its flags as they were typed: tokens a whole number above 0 (`200000`,
 * `200_000`, `200,000`, `200k`, `1.5M`), dollars an amount above 0 (`2.50`, `$2.50`).
 * @example
 * readBudgetFlags({ tokens: "200k" }, RESUME_BUDGET_FLAGS); // { budget: { tokens: 200000 } }
 */
export function readBudgetFlags<Tokens extends string, Usd extends string>(
  argv: { [name in Tokens | Usd]?: unknown },
  names: { tokens: Tokens; usd: Usd },
): BudgetFlagsReading {
  const tokensText = argv[names.tokens];
  const usdText = argv[names.usd];
  const problem = givenOnce(names.tokens, tokensText) ?? givenOnce(names.usd, usdText);
  if (problem) return { problem };
  const budget: TaskBudget = {};
  if (tokensText !== undefined) {
    const tokens = parseTokenCount(String(tokensText));
    if (tokens === undefined) {
      return {
        problem: `--${names.tokens} must be a whole number of tokens above 0, like ${TOKENS_EXAMPLE}; not "${tokensText}".`,
      };
    }
    budget.tokens = tokens;
  }
  if (usdText !== undefined) {
    const usd = parseDollars(String(usdText));
    if (usd === undefined) {
      return {
        problem: `--${names.usd} must be an amount of US dollars above 0, like ${USD_EXAMPLE}; not "${usdText}".`,
      };
    }
    budget.usd = usd;
  }
  return { budget: tokensText === undefined && usdText === undefined ? undefined : budget };
}

/** A complaint when a flag was given more than once (yargs then makes its value a list). */
function givenOnce(name: string, value: unknown): string | undefined {
  return Array.isArray(value) ? `--${name} was given ${value.length} times; give it once.` : undefined;
}

/** `200000`, `200_000`, `200,000`, `200k`, `1.5M` as a whole number above 0; undefined otherwise. */
function parseTokenCount(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim().replace(/(?<=\d)[_,](?=\d{3})/g, ""));
  if (!match) return undefined;
  const exact = Number(match[1]) * (TOKEN_MULTIPLIERS[(match[2] ?? "").toLowerCase()] ?? 1);
  const tokens = Math.round(exact);
  // 1.1k is 1100.0000000000002 in floating point; 1.2345k is not a whole number of tokens.
  if (Math.abs(exact - tokens) > 1e-6 || tokens <= 0 || !Number.isSafeInteger(tokens)) return undefined;
  return tokens;
}

/** `2.50`, `$2.50`, `.5` as a number of dollars above 0; undefined otherwise. */
function parseDollars(text: string): number | undefined {
  const match = /^\$?(\d+(?:\.\d*)?|\.\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const usd = Number(match[1]);
  return usd > 0 && Number.isFinite(usd) ? usd : undefined;
}
