/** How each record form's fields are read (shared by the browser form and the server action). */

export const TRAINING_RUN_FORM_FIELDS = {
  dateTimeFields: ["startedAt", "endedAt"],
  checkboxes: ["gradientCheckpointing", "flashAttention"],
} as const;
