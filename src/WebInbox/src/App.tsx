import { useCallback, useEffect, useMemo, useState } from "react";
import { createStaffClient, citizenOf, conversationName, describeError, isUnauthenticated } from "./api";
import { type InboxEvent, InboxEventKind } from "./gen/goldbach/staff/v1/conversations_pb";
import { Broadcasts } from "./Broadcasts";
import { Privacy } from "./Privacy";
import { Inbox } from "./Inbox";
import { ConversationView } from "./ConversationView";
import { Login } from "./Login";
import { loadSession, saveSession, seesStaffSection, type Session } from "./session";
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

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState("");
  const [workspace, setWorkspace] = useState<Workspace | null>(null);
  const [loadError, setLoadError] = useState("");

  const signOut = useCallback((reason?: string) => {
    saveSession(null);
    setSession(null);
    setWorkspace(null);
    setNotice(reason ?? "");
  }, []);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setNotice("");
    setSession(next);
  }, []);

  useEffect(() => {
    if (!session) {
      return;
    }
    const client = createStaffClient(session.token);
    const tenantName = `tenants/${session.tenant}`;
    let cancelled = false;
    setLoadError("");
    Promise.all([client.getTenant({ name: tenantName }), client.listCannedReplies({ parent: tenantName })])
      .then(([tenant, canned]) => {
        if (!cancelled) {
          setWorkspace({ session, client, tenant, cannedReplies: canned.cannedReplies, signOut });
        }
      })
      .catch((error) => {
        if (cancelled) {
          return;
        }
        if (isUnauthenticated(error)) {
          signOut(texts.login.refused);
        } else {
          setLoadError(describeError(error));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [session, signOut]);

  if (!session) {
    return <Login onSignIn={signIn} notice={notice} />;
  }
  if (!workspace) {
    return (
      <main className="centered" id="main">
        {loadError ? (
          <div role="alert">
            <p>{loadError}</p>
            <button type="button" onClick={() => setSession({ ...session })}>{texts.retry}</button>
          </div>
        ) : (
          <p role="status">{texts.loading}</p>
        )}
      </main>
    );
  }
  return <Workbench workspace={workspace} />;
}

function Workbench({ workspace }: { workspace: Workspace }) {
  const { session, tenant, client } = workspace;
  const [citizen, selectCitizen] = useSelectedCitizen();
  const [hash, go] = useHashRoute();
  const showBroadcasts = hash === "#/broadcasts" && seesStaffSection(session);
  const showPrivacy = hash === "#/datenschutz" && seesStaffSection(session);
  const [alert, setAlert] = useState<InboxEvent | null>(null);
  const watch = useInboxWatch(client, `tenants/${session.tenant}`, workspace.signOut);

  useEffect(() => {
    if (watch.event?.kind === InboxEventKind.URGENT_ESCALATION) {
      setAlert(watch.event);
    }
  }, [watch.event]);

  const selectedName = useMemo(() => (citizen ? conversationName(session.tenant, citizen) : null), [citizen, session.tenant]);

  return (
    <div className={`workbench ${citizen ? "has-selection" : ""}`}>
      <a className="skip-link" href="#main">{texts.skipToContent}</a>
      <header className="topbar">
        <h1>
          {texts.appTitle} <span className="tenant">– {tenant.displayName}</span>
        </h1>
        <p className="who">
          {texts.login.signedInAs(session.staffId, texts.roles[session.role] ?? session.role)}
        </p>
        {seesStaffSection(session) && (
          <a className="nav-link" href="#/broadcasts" aria-current={showBroadcasts ? "page" : undefined}>{texts.broadcasts.open}</a>
        )}
        {seesStaffSection(session) && (
          <a className="nav-link" href="#/datenschutz" aria-current={showPrivacy ? "page" : undefined}>{texts.privacy.open}</a>
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
      {showPrivacy ? <Privacy workspace={workspace} onBack={() => go("#/")} /> : showBroadcasts ? <Broadcasts workspace={workspace} onBack={() => go("#/")} /> : (
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
