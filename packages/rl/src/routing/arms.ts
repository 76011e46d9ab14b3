// What a routing decision chooses: a role, and a budget tier for the work.

/**
 * How much room the work gets: `small` runs it on a tight token budget with the agent's
 * context compacted first; `standard` is the daemon's default; `large` a generous budget.
 */
export type BudgetTier = "small" | "standard" | "large";
export const BUDGET_TIERS: readonly BudgetTier[] = ["small", "standard", "large"];

/** One choice a router can make. */
export interface RoutingArm {
  role: string;
  tier: BudgetTier;
}

export const armKey = (arm: RoutingArm) => `${arm.role}/${arm.tier}`;

/** Every role with every tier, in a fixed order (the order is part of a checkpoint). */
export function routingArms(
  roles: readonly string[],
  tiers: readonly BudgetTier[] = BUDGET_TIERS,
): RoutingArm[] {
  if (roles.length === 0) throw new Error("Routing needs at least one role");
  return roles.flatMap((role) => tiers.map((tier) => ({ role, tier })));
}

/**
 * The bandit's input for routing: the state in its role's block and, for a tier other
 * than standard, again in that tier's block. A role's block learns its value at the
 * standard tier; a tier's block learns what the tier changes (e.g. small saves tokens but
 * fails tasks that need history) from every role's outcomes, not again per role.
 */
export function routingEncoder(
  arms: readonly RoutingArm[],
  features: number,
): { size: number; encode(x: readonly number[], arm: number): number[] } {
  const roles = [...new Set(arms.map((arm) => arm.role))];
  const tiers: BudgetTier[] = [...new Set(arms.map((arm) => arm.tier))].filter((tier) => tier !== "standard");
  const size = (roles.length + tiers.length) * features;
  return {
    size,
    encode: (x, index) => {
      const arm = arms[index]!;
      const out = new Array<number>(size).fill(0);
      const roleOffset = roles.indexOf(arm.role) * features;
      const tier = tiers.indexOf(arm.tier);
      for (let i = 0; i < features; i++) out[roleOffset + i] = x[i]!;
      if (tier >= 0) for (let i = 0; i < features; i++) out[(roles.length + tier) * features + i] = x[i]!;
      return out;
    },
  };
}
