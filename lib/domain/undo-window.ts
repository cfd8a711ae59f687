const DAY_MS = 86_400_000;

/** How long a deleted record can still be restored, as a person reads it: "29 days left", "5 hours left". */
export function undoTimeLeft({ deletedAt, now, undoDays }: { deletedAt: Date; now: Date; undoDays: number }): string {
  const leftMs = deletedAt.getTime() + undoDays * DAY_MS - now.getTime();
  if (leftMs <= 0) return "expired";
  const days = Math.floor(leftMs / DAY_MS);
  if (days >= 1) return `${days} ${days === 1 ? "day" : "days"} left`;
  const hours = Math.floor(leftMs / 3_600_000);
  if (hours >= 1) return `${hours} ${hours === 1 ? "hour" : "hours"} left`;
  return "less than an hour left";
}
