import { TaskBudgetSchema } from "@cca/core";
import type { z } from "zod";

const EXAMPLE = '{"tokens": 200000} or {"usd": 2}';

/**
 * The `budget` argument of cca_task and cca_resume: the daemon's own rules (`TaskBudgetSchema`),
 * with words of our own for the two mistakes its messages leave vague, a value that is not an
 * object and a key it does not know. Cloned with an error map rather than rebuilt, so the rules
 * stay the daemon's.
 */
export function budgetInput(description: string) {
  return TaskBudgetSchema.clone({
    ...TaskBudgetSchema.def,
    error: (issue: z.core.$ZodRawIssue) => {
      if (issue.code === "unrecognized_keys") {
        return `budget takes only tokens and usd, not ${issue.keys.join(", ")}: e.g. ${EXAMPLE}`;
      }
      if (issue.code === "invalid_type") return `budget must be an object such as ${EXAMPLE}`;
      return undefined;
    },
  })
    .optional()
    .describe(description);
}
