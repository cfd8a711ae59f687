import Decimal from "decimal.js";
import { describe } from "vitest";
import { teamSchema } from "./team";
import { accept, chars, itChecksCases, reject } from "./test-cases";

const base = { slug: "research", name: "Research", monthlyBudgetUsd: "120000.00", timeZone: "Europe/London" };

describe("teamSchema", () => {
  describe("slug", () => {
    itChecksCases(teamSchema, base, [
      ["1 character rejected", { slug: "a" }, reject("slug", "Slug must be at least 2 characters")],
      ["2 characters accepted", { slug: "ab" }, accept({ slug: "ab" })],
      ["64 characters accepted", { slug: chars(64, "a") }, accept()],
      ["65 characters rejected", { slug: chars(65, "a") }, reject("slug", "Slug must be at most 64 characters")],
      ["single inner hyphens accepted", { slug: "ml-platform-2" }, accept({ slug: "ml-platform-2" })],
      ["leading hyphen rejected", { slug: "-ml" }, reject("slug", "Slug can't start or end with a hyphen")],
      ["trailing hyphen rejected", { slug: "ml-" }, reject("slug", "Slug can't start or end with a hyphen")],
      ["double hyphen rejected", { slug: "ml--ops" }, reject("slug", "Slug can't contain two hyphens in a row")],
      ["upper case rejected", { slug: "Research" }, reject("slug", "Slug must be lowercase")],
      ["space rejected", { slug: "ml ops" }, reject("slug", /lowercase letters, digits and hyphens/)],
      ["underscore rejected", { slug: "ml_ops" }, reject("slug", /lowercase letters, digits and hyphens/)],
      ["surrounding spaces trimmed", { slug: "  research " }, accept({ slug: "research" })],
      ["empty rejected as missing", { slug: "" }, reject("slug", "Slug is required")],
      ["absent rejected as missing", { slug: undefined }, reject("slug", "Slug is required")],
      ["a number rejected", { slug: 42 }, reject("slug", "Slug must be text")],
    ]);
  });

  describe("name", () => {
    itChecksCases(teamSchema, base, [
      ["trimmed", { name: "  Applied ML " }, accept({ name: "Applied ML" })],
      ["1 character accepted", { name: "R" }, accept()],
      ["100 characters accepted", { name: chars(100) }, accept()],
      ["101 characters rejected", { name: chars(101) }, reject("name", "Name must be at most 100 characters")],
      ["100 characters plus surrounding spaces accepted", { name: ` ${chars(100)} ` }, accept()],
      ["only spaces rejected as missing", { name: "   " }, reject("name", "Name is required")],
      ["a line break rejected", { name: "Applied\nML" }, reject("name", "Name must be one line of text")],
    ]);
  });

  describe("monthlyBudgetUsd", () => {
    itChecksCases(teamSchema, base, [
      ["0 accepted", { monthlyBudgetUsd: "0" }, accept({ monthlyBudgetUsd: "0" })],
      ["-0.01 rejected", { monthlyBudgetUsd: "-0.01" }, reject("monthlyBudgetUsd", "Monthly budget cannot be negative")],
      ["2 decimals accepted", { monthlyBudgetUsd: "1234.56" }, accept({ monthlyBudgetUsd: "1234.56" })],
      ["3 decimals rejected", { monthlyBudgetUsd: "1234.567" }, reject("monthlyBudgetUsd", "Monthly budget can have at most 2 decimal places")],
      ["trailing zeros are not decimals", { monthlyBudgetUsd: "1234.5000" }, accept({ monthlyBudgetUsd: "1234.5" })],
      // numeric(18, 6) holds 12 digits before the point
      ["largest storable amount accepted", { monthlyBudgetUsd: "999999999999.99" }, accept({ monthlyBudgetUsd: "999999999999.99" })],
      ["1e12 rejected", { monthlyBudgetUsd: "1000000000000" }, reject("monthlyBudgetUsd", "Monthly budget must be less than $1,000,000,000,000")],
      ["exponent rejected", { monthlyBudgetUsd: "1e3" }, reject("monthlyBudgetUsd", /not with an exponent/)],
      ["thousands separator rejected", { monthlyBudgetUsd: "1,000" }, reject("monthlyBudgetUsd", /without \$ or thousands separators/)],
      ["dollar sign rejected", { monthlyBudgetUsd: "$1000" }, reject("monthlyBudgetUsd", /without \$ or thousands separators/)],
      ["words rejected", { monthlyBudgetUsd: "lots" }, reject("monthlyBudgetUsd", "Monthly budget must be a number like 12.50")],
      ["leading dot rejected, as by parseUsdMicros", { monthlyBudgetUsd: ".5" }, reject("monthlyBudgetUsd")],
      ["a JS number rejected: money is never a float", { monthlyBudgetUsd: 1000 }, reject("monthlyBudgetUsd", /must be sent as text/)],
      ["a Decimal accepted", { monthlyBudgetUsd: new Decimal("4000.5") }, accept({ monthlyBudgetUsd: "4000.5" })],
      ["leading zeros and spaces normalized", { monthlyBudgetUsd: " 007.50 " }, accept({ monthlyBudgetUsd: "7.5" })],
      ["empty rejected as missing", { monthlyBudgetUsd: "" }, reject("monthlyBudgetUsd", "Monthly budget is required")],
    ]);
  });

  describe("timeZone", () => {
    itChecksCases(teamSchema, base, [
      ["UTC accepted", { timeZone: "UTC" }, accept({ timeZone: "UTC" })],
      ["Area/Location accepted", { timeZone: "America/Argentina/Buenos_Aires" }, accept({ timeZone: "America/Argentina/Buenos_Aires" })],
      ["a link left out of supportedValuesOf accepted as typed", { timeZone: "Asia/Kolkata" }, accept({ timeZone: "Asia/Kolkata" })],
      ["case corrected", { timeZone: "europe/berlin" }, accept({ timeZone: "Europe/Berlin" })],
      ["case of a link left out of supportedValuesOf corrected", { timeZone: "asia/kolkata" }, accept({ timeZone: "Asia/Kolkata" })],
      ["Etc zone accepted", { timeZone: "Etc/GMT+5" }, accept({ timeZone: "Etc/GMT+5" })],
      ["unknown zone rejected", { timeZone: "Mars/Olympus_Mons" }, reject("timeZone", "Time zone must be an IANA time zone such as UTC or Europe/Berlin")],
      ["bare offset rejected", { timeZone: "+05:00" }, reject("timeZone")],
      ["abbreviation that is not a zone rejected", { timeZone: "PDT" }, reject("timeZone")],
      ["empty rejected as missing", { timeZone: "" }, reject("timeZone", "Time zone is required")],
    ]);
  });

  describe("the whole input", () => {
    itChecksCases(teamSchema, base, [
      ["a form's extra fields are dropped", { $ACTION_ID_abc: "", csrf: "x" }, accept()],
      ["every problem reported at once", { slug: "", name: "", monthlyBudgetUsd: "-1", timeZone: "Nowhere" }, reject(["slug", "name", "monthlyBudgetUsd", "timeZone"])],
    ]);
  });
});
