// The signed-in staff member as the gateway sees them (GetSignedInStaff): the provider's subject and name, the role
// the gateway mapped, and the tenant. The role only shapes the interface; the gateway checks every call.
import type { Credentials } from "./auth";

export interface Session {
  staffId: string;
  name: string;
  role: string;
  /** The tenant id (the part after "tenants/"). */
  tenant: string;
  /** Department staff: the department whose requests they see (and nothing of the inbox); empty otherwise. */
  department: string;
  departmentName: string;
  /** The current access token (renewed in the background). */
  token: () => string;
  credentials: Credentials;
}

export const seesStaffSection = (session: Session) => session.role === "supervisor" || session.role === "admin";
