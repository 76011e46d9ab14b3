import { InMemoryEventBus } from "../src/event-bus.js";
import { describeEventBusContract } from "./event-bus.contract.js";

describeEventBusContract("InMemoryEventBus", async () => {
  // Daemons sharing an in-memory bus are parts of one process: they share the instance.
  const bus = new InMemoryEventBus();
  return { open: async () => bus, dispose: () => bus.close() };
});
