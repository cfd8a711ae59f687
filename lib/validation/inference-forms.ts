/**
 * How the deployment and usage forms are read (readForm options), shared by
 * the browser's inline validation and the server actions, and the form's
 * small vocabulary. No server imports: client components use this file.
 */

export const INFERENCE_DEPLOYMENT_FORM = {
  dateTimeFields: ["activeFrom", "activeTo"],
  checkboxes: [],
} as const;

export const USAGE_WINDOW_FORM = {
  dateTimeFields: ["windowStart"],
  checkboxes: [],
} as const;

/** The submit button that asks to go straight on to the next period. */
export const SAVE_AND_ADD_NEXT = { name: "_intent", value: "next" } as const;

/** Quick choices for a usage period's length, in seconds. */
export const USAGE_LENGTH_PRESETS = [
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "1 week" },
] as const;
