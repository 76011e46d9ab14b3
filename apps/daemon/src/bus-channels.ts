import { ActivityEventSchema, defineChannel } from "@cca/core";
import { z } from "zod";

/** Every activity event, as the daemon that saw it numbered it. */
export const ActivityChannel = defineChannel("cca:activity", ActivityEventSchema);

/** Daemons asking each other to cancel the tasks they run. */
export const ControlChannel = defineChannel("cca:control", z.object({ cancel: z.string() }));

/** An approval was answered (on any daemon): the daemon whose agent waits reads the answer from the database. */
export const ApprovalAnsweredChannel = defineChannel("cca:approvals", z.object({ answered: z.string() }));
