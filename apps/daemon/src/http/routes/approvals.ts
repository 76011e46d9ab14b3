import { AnswerApprovalRequestSchema } from "@cca/core";
import { Hono } from "hono";
import type { ApprovalInbox } from "../../approvals/approval-inbox.js";
import { readJsonBody } from "../body.js";

/**
 * The approval inbox over HTTP: `GET /approvals` (pending, oldest first; `?task=<id>` for one
 * top-level task's tree), `GET /approvals/:id`, `POST /approvals/:id {allow, message?, remember?}`,
 * `GET /approvals/rules` and `DELETE /approvals/rules/:id`.
 */
export function approvalRoutes(deps: { approvals: ApprovalInbox }): Hono {
  const { approvals } = deps;
  return new Hono()
    .get("/approvals", async (context) => {
      const task = context.req.query("task");
      return context.json(await approvals.listPending(task ? { rootTaskId: task } : {}));
    })
    .get("/approvals/rules", async (context) => context.json(await approvals.listRules()))
    .delete("/approvals/rules/:id", async (context) =>
      context.json(await approvals.deleteRule(context.req.param("id"))),
    )
    .get("/approvals/:id", async (context) => context.json(await approvals.get(context.req.param("id"))))
    .post("/approvals/:id", async (context) => {
      const answer = await readJsonBody(context, AnswerApprovalRequestSchema);
      return context.json(await approvals.answer(context.req.param("id"), answer));
    });
}
