import { z } from "zod";
import { decimal, required, slug, text, timeZone } from "./fields";
import { MAX_USD_EXCLUSIVE } from "./shared-fields";

/** A team. Slug uniqueness within the org is the database's to check (a conflict, not a validation error). */
export const teamSchema = z.object(
  {
    slug: required(slug({ label: "Slug" })),
    name: required(text({ label: "Name", max: 100 })),
    monthlyBudgetUsd: required(
      decimal({ label: "Monthly budget", scale: 2, min: "0", max: MAX_USD_EXCLUSIVE, maxExclusive: true, money: true }),
    ),
    timeZone: required(timeZone({ label: "Time zone" })),
  },
  { error: "Expected the team's fields" },
);

export type TeamValues = z.output<typeof teamSchema>;
