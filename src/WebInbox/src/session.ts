// The staff member's session: the bearer token they signed in with and what it says about them. The gateway checks
// the token on every call; these claims only shape the interface (the role decides what is offered).

export interface Session {
  token: string;
  staffId: string;
  role: string;
  tenant: string;
  expires: Date;
}

const storageKey = "goldbach.staff-token";

export type TokenProblem = "malformed" | "expired";

export function parseToken(raw: string, now = new Date()): Session | TokenProblem {
  const token = raw.trim();
  const parts = token.split(".");
  if (parts.length !== 3) {
    return "malformed";
  }
  let claims: Record<string, unknown>;
  try {
    const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return "malformed";
  }
  const { sub, role, tenant, exp } = claims;
  if (typeof sub !== "string" || typeof role !== "string" || typeof tenant !== "string" || typeof exp !== "number") {
    return "malformed";
  }
  const expires = new Date(exp * 1000);
  if (expires <= now) {
    return "expired";
  }
  return { token, staffId: sub, role, tenant, expires };
}

export function loadSession(): Session | null {
  const stored = sessionStorage.getItem(storageKey);
  if (!stored) {
    return null;
  }
  const session = parseToken(stored);
  return typeof session === "string" ? null : session;
}

export function saveSession(session: Session | null) {
  if (session) {
    sessionStorage.setItem(storageKey, session.token);
  } else {
    sessionStorage.removeItem(storageKey);
  }
}

export const seesStaffSection = (session: Session) => session.role === "supervisor" || session.role === "admin";
