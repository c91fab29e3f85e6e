import { useCallback, useEffect, useMemo, useState } from "react";
import { useFailure } from "./useFailure";
import type { Workspace } from "./workspace";
import {
  type Broadcast, type BroadcastList, type BroadcastPreview, BroadcastState,
} from "./gen/goldbach/staff/v1/broadcasts_pb";
import { formatWhen } from "./format";
import { texts } from "./texts";

const t = texts.broadcasts;
const REFRESH_MS = 2000;

/**
 * Broadcasts for supervisors: the tenant's lists with their members, a new broadcast (a text per language, previewed
 * before it goes out: who gets which language, as text or as template, and what the messaging limit allows today),
 * and the broadcasts sent, whose progress refreshes while they run.
 */
export function Broadcasts({ workspace, onBack }: { workspace: Workspace; onBack: () => void }) {
  const { client, session, signOut } = workspace;
  const parent = `tenants/${session.tenant}`;
  const [lists, setLists] = useState<BroadcastList[]>([]);
  const [broadcasts, setBroadcasts] = useState<Broadcast[]>([]);
  const [error, setError] = useState("");

  const fail = useFailure(signOut, setError);

  const reload = useCallback(async () => {
    try {
      const [l, b] = await Promise.all([client.listBroadcastLists({ parent }), client.listBroadcasts({ parent, pageSize: 20 })]);
      setLists(l.lists);
      setBroadcasts(b.broadcasts);
      setError("");
    } catch (e) {
      fail(e);
    }
  }, [client, parent, fail]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // Live progress: refresh while a broadcast is still going out or reports are still coming in.
  const running = broadcasts.some((b) => b.state !== BroadcastState.COMPLETED || b.queued > 0 || b.sent > 0);
  useEffect(() => {
    if (!running) {
      return;
    }
    const timer = window.setInterval(() => void reload(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [running, reload]);

  return (
    <main id="main" className="broadcasts" tabIndex={-1}>
      <p><button type="button" className="secondary" onClick={onBack}>{t.back}</button></p>
      <h2>{t.heading}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <section aria-labelledby="lists-heading">
        <h3 id="lists-heading">{t.lists}</h3>
        <ul className="list-cards">
          {lists.map((list) => (
            <li key={list.name} className="card" data-list={list.name}>
              <strong>{list.displayName}</strong>
              {list.description && <p>{list.description}</p>}
              <p className="members">{t.members(list.members)}
                {Object.entries(list.membersByLanguage).map(([language, n]) => ` · ${texts.languages[language] ?? language}: ${n}`).join("")}
              </p>
              {Object.keys(list.keywords).length > 0 && (
                <p className="meta">{t.keywords}: {Object.entries(list.keywords).map(([l, k]) => `${k} (${texts.languages[l] ?? l})`).join(", ")}</p>
              )}
            </li>
          ))}
        </ul>
      </section>
      {lists.length > 0 && <Composer workspace={workspace} lists={lists} onSent={() => void reload()} onError={fail} />}
      <section aria-labelledby="sent-heading">
        <h3 id="sent-heading">{t.sent}</h3>
        {broadcasts.length === 0 ? <p>{t.none}</p> : (
          <ul className="broadcast-list">
            {broadcasts.map((b) => <Progress key={b.name} broadcast={b} lists={lists} />)}
          </ul>
        )}
      </section>
    </main>
  );
}

function Composer({ workspace, lists, onSent, onError }: {
  workspace: Workspace; lists: BroadcastList[]; onSent: () => void; onError: (e: unknown) => void;
}) {
  const { client } = workspace;
  const [listName, setListName] = useState(lists[0].name);
  const list = lists.find((l) => l.name === listName) ?? lists[0];
  const [title, setTitle] = useState("");
  const [bodies, setBodies] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<BroadcastPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  // One request id per composed broadcast: a double click or a retry sends it once.
  const [requestId, setRequestId] = useState(() => crypto.randomUUID().replaceAll("-", ""));

  const content = useMemo(() => ({
    texts: Object.fromEntries(list.languages.filter((l) => (bodies[l] ?? "").trim()).map((l) => [l, bodies[l]])),
  }), [list, bodies]);
  const hasText = Object.keys(content.texts).length > 0;

  const edit = (language: string, value: string) => {
    setBodies((b) => ({ ...b, [language]: value }));
    setPreview(null);
    setDone("");
  };

  const showPreview = async () => {
    setBusy(true);
    try {
      setPreview(await client.previewBroadcast({ list: list.name, content }));
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const send = async () => {
    setBusy(true);
    try {
      const sent = await client.sendBroadcast({ list: list.name, title, content, requestId });
      setDone(t.started(sent.recipients));
      setBodies({});
      setTitle("");
      setPreview(null);
      setRequestId(crypto.randomUUID().replaceAll("-", ""));
      onSent();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="compose-heading" className="compose">
      <h3 id="compose-heading">{t.compose}</h3>
      <form onSubmit={(e) => { e.preventDefault(); void (preview ? send() : showPreview()); }}>
        <label htmlFor="bc-list">{t.list}</label>
        <select id="bc-list" value={listName} onChange={(e) => { setListName(e.target.value); setPreview(null); }}>
          {lists.map((l) => <option key={l.name} value={l.name}>{l.displayName}</option>)}
        </select>
        <label htmlFor="bc-title">{t.title}</label>
        <input id="bc-title" value={title} maxLength={200} required onChange={(e) => { setTitle(e.target.value); setDone(""); }} />
        {list.languages.map((language) => (
          <div key={language}>
            <label htmlFor={`bc-text-${language}`}>{t.text(texts.languages[language] ?? language)}</label>
            <textarea id={`bc-text-${language}`} lang={language} rows={4} maxLength={4096}
              value={bodies[language] ?? ""} onChange={(e) => edit(language, e.target.value)} />
          </div>
        ))}
        <p className="meta">{list.hasTemplate ? t.templateHint : t.noTemplateHint}</p>
        {preview && <PreviewSummary preview={preview} languages={list.languages} />}
        <div className="actions">
          <button type="button" className="secondary" disabled={busy || !hasText} onClick={() => void showPreview()}>{t.preview}</button>
          <button type="submit" disabled={busy || !hasText || !title.trim() || !preview}>{t.send}</button>
        </div>
        {done && <p role="status">{done}</p>}
      </form>
    </section>
  );
}

function PreviewSummary({ preview, languages }: { preview: BroadcastPreview; languages: string[] }) {
  // In the list's order of languages (its default first).
  const rank = (l: string) => (languages.indexOf(l) < 0 ? languages.length : languages.indexOf(l));
  const byLanguage = Object.entries(preview.byLanguage).sort(([a], [b]) => rank(a) - rank(b));
  const later = preview.plan.slice(preview.plan.length > 0 && preview.limitRemaining !== 0 ? 1 : 0);
  return (
    <div className="preview-box" role="status" data-testid="broadcast-preview">
      <p><strong>{t.recipients(preview.asText + preview.asTemplate)}</strong>: {t.asText(preview.asText)}, {t.asTemplate(preview.asTemplate)}
        {preview.excluded > 0 && `, ${t.excluded(preview.excluded)}`}</p>
      <p>{byLanguage.map(([l, n]) => `${texts.languages[l] ?? l}: ${n}`).join(" · ")}</p>
      <p>{preview.limitRemaining < 0 ? t.unlimited : t.limit(preview.limitRemaining)}</p>
      {later.length > 0 && (
        <ul>
          {later.map((p) => <li key={String(p.startTime?.seconds)}>{t.later(p.recipients, p.startTime ? formatWhen(p.startTime) : "")}</li>)}
        </ul>
      )}
    </div>
  );
}

function Progress({ broadcast: b, lists }: { broadcast: Broadcast; lists: BroadcastList[] }) {
  const reached = b.sent + b.delivered + b.read;
  const percent = b.recipients === 0 ? 100 : Math.round(((reached + b.failed + b.skipped) / b.recipients) * 100);
  const list = lists.find((l) => l.name === b.list);
  return (
    <li className="card" data-broadcast={b.name}>
      <strong>{b.title}</strong> <span className="meta">– {list?.displayName ?? b.list}, {b.createTime ? formatWhen(b.createTime) : ""}</span>
      <p>{t.state[b.state] ?? ""}
        {b.state === BroadcastState.WAITING_FOR_LIMIT && b.nextBatchTime && ` ${t.nextBatch(b.deferred, formatWhen(b.nextBatchTime))}`}</p>
      <progress max={100} value={percent} aria-label={t.progressLabel(b.title)}>{percent} %</progress>
      <p className="counts" data-testid="broadcast-counts">
        {t.counts(b.recipients, b.queued + b.pending, b.sent, b.delivered, b.read, b.failed)}
        {b.replies > 0 && ` · ${t.replies(b.replies)}`}
      </p>
      {Object.keys(b.failedByReason).length > 0 && (
        <ul className="reasons">
          {Object.entries(b.failedByReason).map(([reason, n]) => <li key={reason}>{n} × {reason}</li>)}
        </ul>
      )}
    </li>
  );
}
