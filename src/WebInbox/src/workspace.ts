import type { StaffClient } from "./api";
import type { CannedReply, Tenant } from "./gen/goldbach/staff/v1/staff_pb";
import type { Session } from "./session";

/** What every view of a signed-in staff member works with (made by App, passed down; no view imports App). */
export interface Workspace {
  session: Session;
  client: StaffClient;
  tenant: Tenant;
  cannedReplies: CannedReply[];
  /** Call when a call came back Unauthenticated: back to the login. */
  signOut: (reason?: string) => void;
}
