import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { StaffService } from "./gen/goldbach/staff/v1/staff_pb";
import { texts } from "./texts";

export type StaffClient = Client<typeof StaffService>;

/**
 * The staff API over gRPC-Web on the gateway that served this page, with the staff member's current bearer token
 * (none before signing in: GetSignInSettings needs none).
 */
export function createStaffClient(token: () => string = () => ""): StaffClient {
  const bearer: Interceptor = (next) => (request) => {
    const current = token();
    if (current) {
      request.header.set("Authorization", `Bearer ${current}`);
    }
    return next(request);
  };
  const transport = createGrpcWebTransport({ baseUrl: window.location.origin, interceptors: [bearer] });
  return createClient(StaffService, transport);
}

const shownInline = /^(image\/(jpeg|png|webp)|audio\/[a-z0-9.+-]+|video\/(mp4|3gpp))$/;

/** Fetches a stored media file with the bearer token (an <img src> cannot send one) as an object URL. */
export async function fetchMedia(token: () => string, path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` }, signal });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  const blob = await response.blob();
  // A blob URL lives in this origin: only what a browser merely decodes is kept as it came; anything else (a
  // citizen's HTML or SVG "document") becomes opaque bytes, downloaded and never rendered here.
  return URL.createObjectURL(shownInline.test(blob.type) ? blob : new Blob([blob], { type: "application/octet-stream" }));
}

export const isUnauthenticated = (error: unknown) =>
  ConnectError.from(error).code === Code.Unauthenticated;

/** The gateway refused the token itself or what it says (no role, another town): the reason, in German. */
export function refusalOf(error: unknown): string | null {
  const e = ConnectError.from(error);
  return e.code === Code.Unauthenticated || e.code === Code.PermissionDenied ? e.rawMessage : null;
}

/** A German message for a failed call. */
export function describeError(error: unknown): string {
  if (error instanceof DOMException && error.name === "AbortError") {
    return "";
  }
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unauthenticated:
      return texts.errors.unauthenticated;
    case Code.PermissionDenied:
      return texts.errors.permission;
    case Code.NotFound:
      return texts.errors.notFound;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return texts.errors.unavailable;
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
      return texts.errors.invalid(e.rawMessage);
    default:
      return texts.errors.other(e.rawMessage);
  }
}

/** The citizen part of "tenants/{tenant}/conversations/{citizen}" (for the page address). */
export const citizenOf = (name: string) => name.split("/")[3] ?? "";
export const conversationName = (tenant: string, citizen: string) => `tenants/${tenant}/conversations/${citizen}`;
