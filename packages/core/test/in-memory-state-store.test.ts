import { InMemoryStateStore } from "../src/state/in-memory-state-store.js";
import { describeStateStoreContract } from "./state-store.contract.js";
import { ManualClock } from "./support/manual-clock.js";

describeStateStoreContract("InMemoryStateStore", async () => {
  const clock = new ManualClock();
  const store = new InMemoryStateStore({ clock });
  return {
    open: async () => store,
    letTimePass: async (ms) => clock.advance(ms),
    dispose: () => store.close(),
  };
});
