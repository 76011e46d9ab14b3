import { z } from "zod";

/** The `task_id` argument of the tools that act on one task (cca_cancel, cca_diff, cca_apply, cca_feedback). */
export const taskIdInput = z
  .string({ error: "task_id is required: the id cca_task returned" })
  .trim()
  .min(1, "task_id must not be empty: give the id cca_task returned")
  .describe("The id cca_task returned.");
