// Signing in: with the town's OpenID provider (authorization code with PKCE through oidc-client-ts), or in
// Development with a pasted development token. Tokens live in sessionStorage (this tab, until it closes), never in
// localStorage. The gateway checks the token on every call and says who it belongs to (GetSignedInStaff).
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import type { SignInSettings } from "./gen/goldbach/staff/v1/staff_pb";

/** Where the provider sends staff back after signing in; the gateway serves the app there. */
const callbackPath = "/auth/callback";
const developmentTokenKey = "goldbach.development-token";

/** A signed-in staff member's access token, kept current. */
export interface Credentials {
  /** The access token to call the gateway with now. */
  token(): string;
  /** Signs out: at the provider too (this leaves the page and comes back to "/"), or only here. */
  signOut(): Promise<void>;
  /** Forgets the session in this tab only (the gateway refused it, or it expired). */
  forget(): Promise<void>;
}

/** What a deep link ("#/c/…") needs to survive the round trip through the provider. */
interface RedirectState {
  hash: string;
}

/**
 * The town's OpenID provider. The session renews itself with the refresh token before the access token expires
 * (a minute before, or after three quarters of a short lifetime), so that a duty shift needs one sign-in.
 */
export class ProviderSignIn implements Credentials {
  private readonly manager: UserManager;
  private user: User | null = null;
  private renewal: number | undefined;
  private readonly ended = new Set<() => void>();

  constructor(settings: SignInSettings) {
    const store = new WebStorageStateStore({ store: window.sessionStorage });
    this.manager = new UserManager({
      authority: settings.authority,
      client_id: settings.inboxClientId,
      redirect_uri: new URL(callbackPath, window.location.origin).href,
      post_logout_redirect_uri: new URL("/", window.location.origin).href,
      scope: settings.scope,
      resource: settings.resource || undefined,
      userStore: store,
      stateStore: store,
      // Renewal is scheduled below from each token's own lifetime.
      automaticSilentRenew: false,
    });
  }

  /** Sends the browser to the provider's login; the current view ("#/c/…") comes back with it. */
  async signIn(options: { askAgain?: boolean } = {}): Promise<void> {
    const state: RedirectState = { hash: window.location.hash };
    await this.manager.signinRedirect({ state, prompt: options.askAgain ? "login" : undefined });
  }

  /** At /auth/callback: finishes the sign-in and returns the view the staff member started from. */
  async completeSignIn(): Promise<string> {
    const user = await this.manager.signinRedirectCallback();
    this.adopt(user);
    return (user.state as RedirectState | undefined)?.hash ?? "";
  }

  /** At "/?state=…" after the provider signed the staff member out: tidies up. */
  async completeSignOut(): Promise<void> {
    await this.manager.signoutRedirectCallback();
  }

  /** The session this tab already has (renewed first if its token expired meanwhile), or null. */
  async resume(): Promise<boolean> {
    const stored = await this.manager.getUser();
    if (!stored) {
      return false;
    }
    if (!stored.expired) {
      this.adopt(stored);
      return true;
    }
    return this.renew();
  }

  /** Called when the session ended by itself (renewal failed and the token expired). */
  onEnded(listener: () => void): () => void {
    this.ended.add(listener);
    return () => this.ended.delete(listener);
  }

  token(): string {
    return this.user?.access_token ?? "";
  }

  async signOut(): Promise<void> {
    this.stopRenewal();
    const user = this.user;
    this.user = null;
    await this.manager.removeUser();
    await this.manager.signoutRedirect({ id_token_hint: user?.id_token, state: "signed-out" });
  }

  async forget(): Promise<void> {
    this.stopRenewal();
    this.user = null;
    await this.manager.removeUser();
  }

  private adopt(user: User) {
    this.user = user;
    this.stopRenewal();
    // Fresh from the provider, what remains is the token's lifetime.
    const remaining = user.expires_in ?? 0;
    const lead = Math.min(60, remaining / 4);
    this.renewal = window.setTimeout(() => void this.renewOrRetry(), Math.max(remaining - lead, 1) * 1000);
  }

  private async renewOrRetry() {
    if (await this.renew()) {
      return;
    }
    // The provider did not answer: try again shortly while the token still holds, then give up.
    const remaining = this.user?.expires_in ?? 0;
    if (remaining > 5) {
      this.renewal = window.setTimeout(() => void this.renewOrRetry(), Math.min(10, remaining / 2) * 1000);
    } else {
      await this.forget();
      this.ended.forEach((listener) => listener());
    }
  }

  private async renew(): Promise<boolean> {
    try {
      const user = await this.manager.signinSilent();
      if (user) {
        this.adopt(user);
        return true;
      }
    } catch {
      // No refresh token, or the provider refused or is unreachable: the caller decides.
    }
    return false;
  }

  private stopRenewal() {
    window.clearTimeout(this.renewal);
    this.renewal = undefined;
  }
}

/** A pasted development token (Development only: the gateway says whether it takes them). */
export class DevelopmentSignIn implements Credentials {
  private constructor(private readonly value: string) {}

  static resume(): DevelopmentSignIn | null {
    const stored = sessionStorage.getItem(developmentTokenKey);
    return stored ? new DevelopmentSignIn(stored) : null;
  }

  static use(token: string): DevelopmentSignIn {
    sessionStorage.setItem(developmentTokenKey, token.trim());
    return new DevelopmentSignIn(token.trim());
  }

  token(): string {
    return this.value;
  }

  async signOut(): Promise<void> {
    sessionStorage.removeItem(developmentTokenKey);
  }

  async forget(): Promise<void> {
    sessionStorage.removeItem(developmentTokenKey);
  }
}

/** Whether this page load is the provider's redirect back after signing in, or after signing out. */
export const isSignInCallback = () => window.location.pathname === callbackPath;
export const isSignOutCallback = () =>
  window.location.pathname === "/" && new URLSearchParams(window.location.search).get("state") !== null;
