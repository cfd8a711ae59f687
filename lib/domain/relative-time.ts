/**
 * "just now", "5 minutes ago", "3 hours ago", "2 days ago", "4 months ago":
 * how long ago an instant was, rounded down to the largest whole unit, for
 * "last used" columns (the exact instant goes beside it, in the view's zone).
 */
export function timeAgoLabel({ instant, now }: { instant: Date; now: Date }): string {
  const seconds = Math.floor((now.getTime() - instant.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const units: [number, string][] = [
    [365 * 86_400, "year"],
    [30 * 86_400, "month"],
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${name}${count === 1 ? "" : "s"} ago`;
  }
  return "just now";
}
