import { tzOffset } from "@date-fns/tz";
import { bucketsBetween, type BucketUnit } from "@/lib/domain/calendar";
import { Prisma } from "../sql";

/**
 * Time buckets in SQL, matching lib/domain/calendar.ts: day, week (ISO,
 * Monday) and month buckets start at local midnight in the reporting zone;
 * hour buckets are wall-clock hours, i.e. UTC hours shifted by the zone's
 * minute offset (they start at :30 UTC in Asia/Kolkata, :15 in Asia/Kathmandu).
 */
export interface BucketSpec {
  unit: BucketUnit;
  timeZone: string;
}

const STEP: Record<BucketUnit, Prisma.Sql> = {
  hour: Prisma.raw(`interval '1 hour'`),
  day: Prisma.raw(`interval '1 day'`),
  week: Prisma.raw(`interval '1 week'`),
  month: Prisma.raw(`interval '1 month'`),
};
const TRUNC: Record<Exclude<BucketUnit, "hour">, Prisma.Sql> = {
  day: Prisma.raw(`'day'`),
  week: Prisma.raw(`'week'`),
  month: Prisma.raw(`'month'`),
};

const MAX_BUCKET_MS: Record<BucketUnit, number> = { hour: 3_600_000, day: 26 * 3_600_000, week: 8 * 86_400_000, month: 32 * 86_400_000 };

/** True when [from, to) is exactly one bucket of `unit` in the zone (every row then has the bucket `from`, no zone math per row). */
export function isSingleBucket(q: { from: Date; to: Date; unit: BucketUnit; timeZone: string }): boolean {
  if (q.to.getTime() - q.from.getTime() > MAX_BUCKET_MS[q.unit]) return false;
  const buckets = bucketsBetween({ from: q.from, to: q.to, unit: q.unit, timeZone: q.timeZone });
  return buckets.length === 1 && buckets[0]!.start.getTime() === q.from.getTime() && buckets[0]!.end.getTime() === q.to.getTime();
}

/** Minutes past the UTC hour at which the zone's wall-clock hours start (0, 15 or 30). */
export function hourOriginMinutes(timeZone: string, at: Date): number {
  return ((-tzOffset(timeZone, at) % 60) + 60) % 60;
}

function hourOrigin(spec: BucketSpec, at: Date): Prisma.Sql {
  return Prisma.sql`(timestamptz '2000-01-01 00:00:00+00' + make_interval(mins => ${hourOriginMinutes(spec.timeZone, at)}))`;
}

/** SQL: the start of the bucket containing `instant` (a timestamptz expression). */
export function bucketStartSql(spec: BucketSpec, instant: Prisma.Sql, at: Date): Prisma.Sql {
  if (spec.unit === "hour") return Prisma.sql`date_bin(interval '1 hour', ${instant}, ${hourOrigin(spec, at)})`;
  return Prisma.sql`(date_trunc(${TRUNC[spec.unit]}, (${instant}) at time zone ${spec.timeZone}) at time zone ${spec.timeZone})`;
}

/** SQL: the end of the bucket that starts at `start`. */
export function bucketEndSql(spec: BucketSpec, start: Prisma.Sql): Prisma.Sql {
  if (spec.unit === "hour") return Prisma.sql`(${start} + interval '1 hour')`;
  return Prisma.sql`(((${start}) at time zone ${spec.timeZone} + ${STEP[spec.unit]}) at time zone ${spec.timeZone})`;
}

/**
 * SQL set-returning expression: the starts of every bucket that overlaps
 * [from, to) (timestamptz expressions, from < to).
 */
export function bucketSeriesSql(spec: BucketSpec, from: Prisma.Sql, to: Prisma.Sql, at: Date): Prisma.Sql {
  const last = Prisma.sql`(${to}) - interval '1 millisecond'`;
  if (spec.unit === "hour") {
    return Prisma.sql`(select s from generate_series(${bucketStartSql(spec, from, at)}, ${bucketStartSql(spec, last, at)}, interval '1 hour') as s)`;
  }
  const trunc = TRUNC[spec.unit];
  const local = (t: Prisma.Sql) => Prisma.sql`date_trunc(${trunc}, (${t}) at time zone ${spec.timeZone})`;
  return Prisma.sql`(select s at time zone ${spec.timeZone} from generate_series(${local(from)}, ${local(last)}, ${STEP[spec.unit]}) as s)`;
}
