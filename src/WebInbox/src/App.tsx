import { useCallback, useEffect, useMemo, useState } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import { createStaffClient, citizenOf, conversationName, describeError, refusalOf } from "./api";
import { ErrorResponse } from "oidc-client-ts";
import { DevelopmentSignIn, isSignInCallback, isSignOutCallback, ProviderSignIn, type Credentials } from "./auth";
import { type InboxEvent, InboxEventKind } from "./gen/goldbach/staff/v1/conversations_pb";
import { Broadcasts } from "./Broadcasts";
import { Duty } from "./Duty";
import { Settings } from "./Settings";
import { currentSubscription, pushUnavailable, registrationOf } from "./push";
import { Privacy } from "./Privacy";
import { Requests } from "./Requests";
import { Inbox } from "./Inbox";
import { ConversationView } from "./ConversationView";
import { Login, type Notice } from "./Login";
import { seesStaffSection, type Session } from "./session";
import { texts } from "./texts";
import { useInboxWatch } from "./useInboxWatch";
import type { Workspace } from "./workspace";

/**
 * The address holds the view: "#/c/{citizen}" a conversation, "#/broadcasts" the broadcasts, "#/datenschutz" data
 * protection; Back and reload keep it.
 */
function useHashRoute(): [string, (hash: string) => void] {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const go = useCallback((next: string) => {
    window.location.hash = next;
  }, []);
  return [hash, go];
}

function useSelectedCitizen(): [string | null, (citizen: string | null) => void] {
  const [hash, go] = useHashRoute();
  const m = /^#\/c\/([^/]+)$/.exec(hash);
  const citizen = m ? decodeURIComponent(m[1]) : null;
  const select = useCallback((next: string | null) => go(next ? `#/c/${encodeURIComponent(next)}` : "#/"), [go]);
  return [citizen, select];
}

const isNotFound = (error: unknown) => ConnectError.from(error).code === Code.NotFound;

/** Whether the browser is online; the app shell says so when it is not. */
function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

/** The banner every view shows while the network is gone (the service worker still serves the app shell). */
export function OfflineNotice() {
  return useOnline() ? null : <p className="offline" role="status">{texts.offline}</p>;
}

/** The way in as this gateway offers it, learnt before anyone has signed in. */
interface Door {
  provider: ProviderSignIn | null;
  developmentTokens: boolean;
}

/**
 * Finishes a redirect back from the provider (after signing in or out) or resumes this tab's session; returns the
 * credentials to work with, if any, and what the login should say otherwise.
 */
async function openDoor(): Promise<{ door: Door; credentials: Credentials | null; notice: Notice | null }> {
  const settings = await createStaffClient().getSignInSettings({});
  const provider = settings.authority ? new ProviderSignIn(settings) : null;
  const door = { provider, developmentTokens: settings.developmentTokens };
  if (provider && isSignInCallback()) {
    try {
      const hash = await provider.completeSignIn();
      window.history.replaceState(null, "", `/${hash}`);
      return { door, credentials: provider, notice: null };
    } catch (error) {
      window.history.replaceState(null, "", "/");
      return { door, credentials: null, notice: { text: texts.login.failed(signInFailure(error)), problem: true } };
    }
  }
  if (provider && isSignOutCallback()) {
    await provider.completeSignOut().catch(() => undefined);
    window.history.replaceState(null, "", "/");
    return { door, credentials: null, notice: { text: texts.login.signedOut, problem: false } };
  }
  if (provider && (await provider.resume())) {
    return { door, credentials: provider, notice: null };
  }
  return { door, credentials: settings.developmentTokens ? DevelopmentSignIn.resume() : null, notice: null };
}

/** Why the provider's redirect back did not sign anyone in, in German. */
function signInFailure(error: unknown): string {
  if (error instanceof ErrorResponse) {
    // The provider's own answer (e.g. access_denied) with its description.
    return error.error_description ?? error.error ?? texts.login.callbackUnknown;
  }
  // No sign-in of this tab matches the answer (a bookmarked or forged callback, or another tab's).
  return texts.login.callbackUnknown;
}

export function App() {
  const [door, setDoor] = useState<Door | null>(null);
  const [doorError, setDoorError] = useState("");
  const [attempt, setAttempt] = useState(0);
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [askAgain, setAskAgain] = useState(false);
  const [workspace, setWorkspace] = useState<Workspace | null>(null);
  const [loadError, setLoadError] = useState("");

  useEffect(() => {
    let cancelled = false;
    setDoorError("");
    openDoor()
      .then((opened) => {
        if (!cancelled) {
          setDoor(opened.door);
          setCredentials(opened.credentials);
          setNotice(opened.notice);
        }
      })
      .catch((error) => !cancelled && setDoorError(describeError(error)));
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  /** Without a reason: the staff member signs out (at the provider too). With one: the session was refused or ended. */
  const signOut = useCallback(async (reason?: string) => {
    const ending = credentials;
    setWorkspace(null);
    setCredentials(null);
    if (reason) {
      await ending?.forget();
      setNotice({ text: reason, problem: true });
      setAskAgain(true);
    } else {
      await ending?.signOut();
      setNotice({ text: texts.login.signedOut, problem: false });
    }
  }, [credentials]);

  useEffect(() => door?.provider?.onEnded(() => void signOut(texts.login.expired)), [door, signOut]);

  useEffect(() => {
    if (!credentials) {
      return;
    }
    const client = createStaffClient(() => credentials.token());
    let cancelled = false;
    setLoadError("");
    (async () => {
      const staff = await client.getSignedInStaff({});
      const tenant = await client.getTenant({ name: staff.tenant });
      const canned = await client.listCannedReplies({ parent: staff.tenant });
      const session: Session = {
        staffId: staff.staffId,
        name: staff.displayName,
        role: staff.role,
        tenant: staff.tenant.replace(/^tenants\//, ""),
        department: staff.department,
        departmentName: staff.departmentName,
        token: () => credentials.token(),
        credentials,
      };
      return { session, client, tenant, cannedReplies: canned.cannedReplies, signOut: (reason?: string) => void signOut(reason) };
    })()
      .then((ready) => !cancelled && setWorkspace(ready))
      .catch((error) => {
        if (cancelled) {
          return;
        }
        const refusal = refusalOf(error);
        if (refusal !== null) {
          void signOut(texts.login.refused(refusal));
        } else {
          setLoadError(describeError(error));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [credentials, signOut, attempt]);

  if (!door) {
    return <Waiting problem={doorError} onRetry={() => setAttempt((a) => a + 1)} />;
  }
  if (!credentials) {
    return (
      <Login provider={door.provider !== null} developmentTokens={door.developmentTokens} notice={notice}
        onSignIn={() => void door.provider?.signIn({ askAgain })}
        onToken={(token) => { setNotice(null); setCredentials(DevelopmentSignIn.use(token)); }} />
    );
  }
  if (!workspace) {
    return <Waiting problem={loadError} onRetry={() => setAttempt((a) => a + 1)} />;
  }
  return workspace.session.department ? <DepartmentBench workspace={workspace} /> : <Workbench workspace={workspace} />;
}

/** The request shown by "#/anliegen/{id}" (the department's mail links there), or null. */
function useSelectedRequest(hash: string): string | null {
  const m = /^#\/anliegen\/([^/]+)$/.exec(hash);
  return m ? decodeURIComponent(m[1]) : null;
}

/** Department staff work their department's requests only: no inbox, no conversations, no notifications. */
function DepartmentBench({ workspace }: { workspace: Workspace }) {
  const { session, tenant } = workspace;
  const [hash] = useHashRoute();
  return (
    <div className="workbench department">
      <a className="skip-link" href="#main">{texts.skipToContent}</a>
      <header className="topbar">
        <h1>
          {texts.appTitle} <span className="tenant">– {tenant.displayName}</span>
        </h1>
        <p className="who">{texts.login.signedInAs(session.name || session.staffId, session.departmentName)}</p>
        <button type="button" className="secondary" onClick={() => workspace.signOut()}>{texts.login.logout}</button>
      </header>
      <OfflineNotice />
      <Requests workspace={workspace} selected={useSelectedRequest(hash)} />
    </div>
  );
}

/** While the inbox gets ready: "Wird geladen …", or what went wrong with a retry. */
function Waiting({ problem, onRetry }: { problem: string; onRetry: () => void }) {
  return (
    <main className="centered" id="main">
      {problem ? (
        <div role="alert">
          <p>{problem}</p>
          <button type="button" onClick={onRetry}>{texts.retry}</button>
        </div>
      ) : (
        <p role="status">{texts.loading}</p>
      )}
    </main>
  );
}

function Workbench({ workspace }: { workspace: Workspace }) {
  const { session, tenant, client } = workspace;
  const [citizen, selectCitizen] = useSelectedCitizen();
  const [hash, go] = useHashRoute();
  const showBroadcasts = hash === "#/broadcasts" && seesStaffSection(session);
  const showPrivacy = hash === "#/datenschutz" && seesStaffSection(session);
  const showDuty = hash === "#/bereitschaft";
  const showSettings = hash === "#/einstellungen" && session.role === "admin";
  const showRequests = hash === "#/anliegen" || hash.startsWith("#/anliegen/");
  const selectedRequest = useSelectedRequest(hash);
  const alarm = /^#\/alarm\/([0-9a-f]{32})$/.exec(hash)?.[1] ?? null;
  const [alarmNotice, setAlarmNotice] = useState("");

  // A notification's link: the alert names the conversation once a staff member of the town is signed in.
  useEffect(() => {
    if (!alarm) {
      return;
    }
    let cancelled = false;
    setAlarmNotice(texts.duty.alarmResolving);
    client.resolveAlert({ alertId: alarm })
      .then((resolved) => {
        if (!cancelled) {
          setAlarmNotice("");
          selectCitizen(citizenOf(resolved.conversation));
        }
      })
      .catch((error) => !cancelled && setAlarmNotice(isNotFound(error) ? texts.duty.alarmDone : describeError(error)));
    return () => {
      cancelled = true;
    };
  }, [alarm, client, selectCitizen]);
  const [alert, setAlert] = useState<InboxEvent | null>(null);
  const watch = useInboxWatch(client, `tenants/${session.tenant}`, workspace.signOut);

  useEffect(() => {
    if (watch.event?.kind === InboxEventKind.URGENT_ESCALATION) {
      setAlert(watch.event);
    }
  }, [watch.event]);

  // A browser may change its push subscription (a new endpoint or keys); the signed-in inbox hands the current one
  // to the gateway again, so that the duty phone keeps ringing. Nothing happens where push was never switched on.
  useEffect(() => {
    if (pushUnavailable() || Notification.permission !== "granted") {
      return;
    }
    void currentSubscription()
      .then(async (subscription) => subscription && client.registerPushDevice(await registrationOf(subscription)))
      .catch(() => undefined);
  }, [client]);

  const selectedName = useMemo(() => (citizen ? conversationName(session.tenant, citizen) : null), [citizen, session.tenant]);

  return (
    <div className={`workbench ${citizen ? "has-selection" : ""}`}>
      <a className="skip-link" href="#main">{texts.skipToContent}</a>
      <header className="topbar">
        <h1>
          {texts.appTitle} <span className="tenant">– {tenant.displayName}</span>
        </h1>
        <p className="who">
          {texts.login.signedInAs(session.name || session.staffId, texts.roles[session.role] ?? session.role)}
        </p>
        <a className="nav-link" href="#/anliegen" aria-current={showRequests ? "page" : undefined}>{texts.requests.open}</a>
        <a className="nav-link" href="#/bereitschaft" aria-current={showDuty ? "page" : undefined}>{texts.duty.open}</a>
        {seesStaffSection(session) && (
          <a className="nav-link" href="#/broadcasts" aria-current={showBroadcasts ? "page" : undefined}>{texts.broadcasts.open}</a>
        )}
        {seesStaffSection(session) && (
          <a className="nav-link" href="#/datenschutz" aria-current={showPrivacy ? "page" : undefined}>{texts.privacy.open}</a>
        )}
        {session.role === "admin" && (
          <a className="nav-link" href="#/einstellungen" aria-current={showSettings ? "page" : undefined}>{texts.settings.open}</a>
        )}
        <button type="button" className="secondary" onClick={() => workspace.signOut()}>
          {texts.login.logout}
        </button>
      </header>
      {alert?.conversation && (
        <div className="urgent-alert" role="alert">
          <span>{texts.inbox.urgentAlert(alert.conversation.displayName || texts.inbox.noName)}</span>
          <button type="button" onClick={() => { selectCitizen(citizenOf(alert.conversation!.name)); setAlert(null); }}>
            {texts.inbox.openAlert}
          </button>
          <button type="button" className="secondary" onClick={() => setAlert(null)} aria-label={texts.inbox.closeAlert}>×</button>
        </div>
      )}
      {alarmNotice && <p className="alarm-notice" role="status">{alarmNotice}</p>}
      {showRequests ? <Requests workspace={workspace} selected={selectedRequest} onBack={() => go("#/")} /> : showSettings ? <Settings workspace={workspace} onBack={() => go("#/")} /> : showDuty ? <Duty workspace={workspace} onBack={() => go("#/")} /> : showPrivacy ? <Privacy workspace={workspace} onBack={() => go("#/")} /> : showBroadcasts ? <Broadcasts workspace={workspace} onBack={() => go("#/")} /> : (
      <div className="panes">
        <Inbox workspace={workspace} watch={watch} selected={selectedName} onSelect={(name) => selectCitizen(citizenOf(name))} />
        <main id="main" className="conversation-pane" tabIndex={-1}>
          {selectedName ? (
            <ConversationView key={selectedName} workspace={workspace} name={selectedName} event={watch.event}
              onBack={() => selectCitizen(null)} />
          ) : (
            <p className="placeholder">{texts.conversation.none}</p>
          )}
        </main>
      </div>
      )}
    </div>
  );
}
