// The tenant's settings document (the JSON of Goldbach:Tenants:{id}, README "Tenant settings") as the settings view
// edits it: read and write a value by its path ("OfficeHours:Monday"), the path the gateway's field errors name.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Doc = { [key: string]: Json };

const parts = (path: string) => path.split(":");

export function getAt(doc: Doc, path: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const part of parts(path)) {
    if (node === null || typeof node !== "object") {
      return undefined;
    }
    node = Array.isArray(node) ? node[Number(part)] : node[part];
  }
  return node;
}

/** A copy of the document with the value at the path replaced (undefined or "" removes an optional value). */
export function setAt(doc: Doc, path: string, value: Json | undefined): Doc {
  const copy = structuredClone(doc);
  const keys = parts(path);
  let node = copy as { [key: string]: Json };
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== "object") {
      node[key] = {};
    }
    node = node[key] as { [key: string]: Json };
  }
  const last = keys[keys.length - 1];
  if (value === undefined || value === "") {
    delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

export const text = (doc: Doc, path: string) => {
  const value = getAt(doc, path);
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
};

/** A list of strings as lines (staff numbers, closing days) or separated by commas (keywords). */
export const joined = (doc: Doc, path: string, separator: string) => {
  const value = getAt(doc, path);
  return Array.isArray(value) ? value.join(separator) : "";
};

export const split = (value: string, separator: RegExp) => value.split(separator).map((s) => s.trim()).filter((s) => s.length > 0);

/** "00:00:30" (a .NET TimeSpan) as seconds, and back. */
export function seconds(span: string): string {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span);
  if (!match) {
    return "";
  }
  const [, days, hours, minutes, secs] = match;
  return String(Number(days ?? 0) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(secs));
}

export function timeSpan(secondsText: string): string {
  const total = Number(secondsText);
  if (!Number.isFinite(total) || total < 0) {
    return secondsText;
  }
  const days = Math.floor(total / 86400);
  const rest = total - days * 86400;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, "0");
  const clock = `${pad(rest / 3600)}:${pad((rest % 3600) / 60)}:${pad(rest % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}
