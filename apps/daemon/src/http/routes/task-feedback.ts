import { TaskFeedbackRequestSchema } from "@cca/core";
import { Hono } from "hono";
import type { TaskFeedback } from "../../memory/task-feedback.js";
import { readJsonBody } from "../body.js";

/** `POST /tasks/:id/feedback {success, note?}`: how an ended task went, for the ReasoningBank. */
export function taskFeedbackRoutes(deps: { feedback: TaskFeedback }): Hono {
  return new Hono().post("/tasks/:id/feedback", async (context) => {
    const feedback = await readJsonBody(context, TaskFeedbackRequestSchema);
    return context.json(await deps.feedback(context.req.param("id"), feedback));
  });
}
