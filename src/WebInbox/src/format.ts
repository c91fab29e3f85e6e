import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

const zone = "Europe/Berlin";
const time = new Intl.DateTimeFormat("de-DE", { timeZone: zone, hour: "2-digit", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat("de-DE", {
  timeZone: zone, weekday: "short", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
});
const day = new Intl.DateTimeFormat("de-DE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });

export const toDate = (t: Timestamp | undefined) => (t ? timestampDate(t) : undefined);

/** "14:05" today, otherwise "Mo., 01.06., 14:05" (town hall time). */
export function formatWhen(t: Timestamp | Date | undefined, now = new Date()): string {
  const date = t instanceof Date ? t : toDate(t);
  if (!date) {
    return "";
  }
  return day.format(date) === day.format(now) ? time.format(date) : dayAndTime.format(date);
}

/** The machine-readable form for <time dateTime>. */
export const isoOf = (t: Timestamp | undefined) => toDate(t)?.toISOString() ?? "";

/** A phone number shown with its country code apart: "+49 1511 2345678". */
export function formatPhone(e164: string): string {
  const m = /^\+(\d{2})(\d{3,4})(\d+)$/.exec(e164);
  return m ? `+${m[1]} ${m[2]} ${m[3]}` : e164;
}

export function formatBytes(bytes: bigint | number): string {
  const n = Number(bytes);
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1).replace(".", ",")} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}
