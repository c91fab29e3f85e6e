import { ConversationRequests } from "./Requests";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { describeError, isUnauthenticated } from "./api";
import type { Workspace } from "./workspace";
import { Entry, type EntryActions, type QuoteChoice } from "./Entries";
import { formatPhone, formatWhen, toDate } from "./format";
import {
  type Conversation, type ConversationEntry, type ConversationSummary, ConversationStatus, DeliveryState,
  type InboxEvent, Priority,
} from "./gen/goldbach/staff/v1/conversations_pb";
import { seesStaffSection } from "./session";
import { texts } from "./texts";

const c = texts.conversation;
// While one of the town's messages is still on its way, its state is asked for again this often.
const deliveryPollMs = 3000;
const inFlight = new Set([DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.SENT]);

export function ConversationView({ workspace, name, event, onBack }: {
  workspace: Workspace;
  name: string;
  event: InboxEvent | null;
  onBack: () => void;
}) {
  const { client, session, tenant } = workspace;
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [older, setOlder] = useState<ConversationEntry[]>([]);
  const [olderToken, setOlderToken] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  // The citizen's newest message this view marked read (at the town and, with it, at WhatsApp: blue ticks).
  const markedRead = useRef("");
  const [quote, setQuote] = useState<QuoteChoice | null>(null);

  const fail = useCallback((e: unknown) => {
    if (isUnauthenticated(e)) {
      workspace.signOut(texts.errors.unauthenticated);
    } else {
      setError(describeError(e));
    }
  }, [workspace]);

  const load = useCallback(async () => {
    try {
      const next = await client.getConversation({ name });
      setConversation(next);
      setError("");
      const s = next.summary;
      const inbound = next.entries.filter((e) => e.entry.case === "inbound");
      const newest = inbound[inbound.length - 1]?.entry.value as { whatsappMessageId: string } | undefined;
      // Only while a staff member has it in front of them: not for a view in a hidden tab.
      if (s && (s.unread || s.status === ConversationStatus.NEW) && document.visibilityState === "visible"
        && markedRead.current !== (newest?.whatsappMessageId ?? "-")) {
        markedRead.current = newest?.whatsappMessageId ?? "-";
        const summary = await client.markRead({ conversation: name });
        setConversation((current) => (current ? { ...current, summary } : current));
      }
    } catch (e) {
      fail(e);
    }
  }, [client, name, fail]);

  useEffect(() => {
    void load().then(() => heading.current?.focus());
  }, [load]);

  // The inbox's live events name this conversation when the citizen wrote or someone changed it.
  useEffect(() => {
    if (event?.conversation?.name === name) {
      void load();
    }
  }, [event, name, load]);

  // Delivery reports do not change the inbox; follow them while a message is on its way.
  const pending = conversation?.entries.some((e) => e.entry.case === "outbound" && inFlight.has(e.entry.value.state)) ?? false;
  useEffect(() => {
    if (!pending) {
      return;
    }
    const timer = window.setInterval(() => void load(), deliveryPollMs);
    return () => window.clearInterval(timer);
  }, [pending, load]);

  const loadOlder = async () => {
    const token = olderToken ?? conversation?.nextPageToken;
    if (!token) {
      return;
    }
    try {
      const page = await client.getConversation({ name, pageToken: token });
      setOlder((current) => [...page.entries, ...current]);
      setOlderToken(page.nextPageToken);
    } catch (e) {
      fail(e);
    }
  };

  const change = async (action: () => Promise<ConversationSummary>) => {
    try {
      const summary = await action();
      setConversation((current) => (current ? { ...current, summary } : current));
      setStatus(c.changed);
      setError("");
      void load();
    } catch (e) {
      fail(e);
    }
  };

  if (!conversation?.summary) {
    return (
      <section className="conversation" aria-labelledby="conversation-heading">
        <button type="button" className="secondary back" onClick={onBack}>{c.back}</button>
        <h2 id="conversation-heading" ref={heading} tabIndex={-1}>{texts.loading}</h2>
        {error && <p className="error" role="alert">{error}</p>}
      </section>
    );
  }
  const s = conversation.summary;
  const actions: EntryActions = {
    quote: (choice) => {
      setQuote(choice);
      document.getElementById("reply-text")?.focus();
    },
    react: async (messageId, emoji) => {
      try {
        await client.react({ conversation: name, messageId, emoji, requestId: crypto.randomUUID() });
        setStatus(emoji ? c.reacted(emoji) : c.reactionRemoved);
        setError("");
        void load();
      } catch (e) {
        fail(e);
      }
    },
    windowOpen: s.windowOpen,
  };
  const who = s.displayName || (s.phoneNumber ? formatPhone(s.phoneNumber) : s.username ? `@${s.username}` : texts.inbox.noName);
  const moreToken = olderToken ?? conversation.nextPageToken;

  return (
    <section className="conversation" aria-labelledby="conversation-heading">
      <button type="button" className="secondary back" onClick={onBack}>{c.back}</button>
      <header className="conversation-head">
        <h2 id="conversation-heading" ref={heading} tabIndex={-1}>{who}</h2>
        <dl className="facts">
          {s.phoneNumber && <><dt>{c.number}</dt><dd>{formatPhone(s.phoneNumber)}</dd></>}
          {s.username && <><dt>{c.username}</dt><dd>@{s.username}</dd></>}
          <dt>{texts.inbox.status}</dt><dd className="status-value">{texts.status[s.status]}</dd>
          {s.urgent && <><dt className="sr-only">{texts.inbox.urgent}</dt><dd className="badge urgent">{texts.inbox.urgent}</dd></>}
          {s.language && <><dt>{c.language}</dt><dd>{texts.languages[s.language] ?? s.language}</dd></>}
          {s.status === ConversationStatus.SNOOZED && s.snoozeTime && <><dt className="sr-only">{texts.status[4]}</dt><dd>{c.snoozedUntil(formatWhen(s.snoozeTime))}</dd></>}
        </dl>
      </header>
      <Window summary={s} template={tenant.windowTemplate} />
      {s.blocked && <p className="window closed" role="note">{c.blocked}</p>}
      <p className="sr-only" role="status">{status}</p>
      {error && <p className="error" role="alert">{error}</p>}

      <section className="history" aria-labelledby="history-heading">
        <h3 id="history-heading" className="sr-only">{c.history}</h3>
        {moreToken && <button type="button" className="secondary" onClick={loadOlder}>{c.older}</button>}
        <ol className="entries">
          {[...older, ...conversation.entries].map((e, i) => <Entry key={entryKey(e, i)} entry={e} token={session.token} actions={actions} />)}
        </ol>
      </section>

      <Composer workspace={workspace} summary={s} quote={quote} onClearQuote={() => setQuote(null)} onDone={() => void load()} onError={fail} />

      <ConversationRequests workspace={workspace} conversation={name} category={s.category}
        suggestion={latestCitizenText(conversation.entries)} windowOpen={s.windowOpen} onAsked={() => void load()} />

      <section className="controls" aria-labelledby="controls-heading">
        <h3 id="controls-heading">{c.controls}</h3>
        <div className="control-grid">
          <label>
            {c.setStatus}
            <select value={s.status} onChange={(e) => change(() => client.setStatus({ conversation: name, status: Number(e.target.value) }))}>
              {[ConversationStatus.NEW, ConversationStatus.SNOOZED].includes(s.status) && (
                <option value={s.status} disabled>{texts.status[s.status]}</option>
              )}
              <option value={ConversationStatus.OPEN}>{c.open}</option>
              <option value={ConversationStatus.WAITING_FOR_CITIZEN}>{c.waiting}</option>
              <option value={ConversationStatus.RESOLVED}>{c.resolve}</option>
            </select>
          </label>
          <label>
            {c.category}
            <select value={s.category} onChange={(e) => change(() => client.setCategory({ conversation: name, category: e.target.value }))}>
              {!tenant.categories.includes(s.category) && <option value={s.category} disabled>{s.category || "–"}</option>}
              {tenant.categories.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </label>
          <label>
            {c.priority}
            <select value={s.priority === Priority.HIGH ? Priority.HIGH : Priority.NORMAL}
              onChange={(e) => change(() => client.setPriority({ conversation: name, priority: Number(e.target.value) }))}>
              <option value={Priority.NORMAL}>{texts.priority[Priority.NORMAL]}</option>
              <option value={Priority.HIGH}>{texts.priority[Priority.HIGH]}</option>
            </select>
          </label>
          <Assignee workspace={workspace} summary={s} onChange={(assignee) => change(() => client.assign({ conversation: name, assignee }))} />
        </div>
        <button type="button" onClick={() => change(() => client.snooze({ conversation: name }))}>{c.snooze}</button>
        {seesStaffSection(session) && (
          <button type="button" className="secondary block"
            onClick={() => change(() => client.setBlocked({ conversation: name, blocked: !s.blocked }))}>
            {s.blocked ? c.unblock : c.block}
          </button>
        )}
      </section>
    </section>
  );
}

/** The citizen's newest words: what a new request for a department starts from. */
function latestCitizenText(entries: ConversationEntry[]): string {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i].entry;
    if (e.case === "inbound" && e.value.text) {
      return e.value.text;
    }
  }
  return "";
}

function entryKey(e: ConversationEntry, index: number) {
  switch (e.entry.case) {
    case "inbound": return `in-${e.entry.value.whatsappMessageId}`;
    case "outbound": return `out-${e.entry.value.id}`;
    default: return `ev-${index}`;
  }
}

function Window({ summary: s, template }: { summary: ConversationSummary; template: string }) {
  const closes = toDate(s.windowCloseTime);
  if (!closes) {
    return <p className="window closed">{c.windowNever}</p>;
  }
  return s.windowOpen
    ? <p className="window open">{c.windowOpen(formatWhen(closes))}</p>
    : <p className="window closed" role="note">{c.windowClosed(template)}</p>;
}

function Assignee({ workspace, summary, onChange }: {
  workspace: Workspace;
  summary: ConversationSummary;
  onChange: (assignee: string) => void;
}) {
  const { session } = workspace;
  const [value, setValue] = useState(summary.assignee);
  useEffect(() => setValue(summary.assignee), [summary.assignee]);
  const mine = summary.assignee === session.staffId;
  return (
    <div className="assignee">
      {seesStaffSection(session) ? (
        <form onSubmit={(e) => { e.preventDefault(); onChange(value.trim()); }}>
          <label htmlFor="assignee">{c.assignee}</label>
          <div className="row">
            <input id="assignee" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
            <button type="submit" className="secondary">{c.assign}</button>
          </div>
        </form>
      ) : (
        <p>{texts.inbox.assignee}: {summary.assignee || c.nobody}</p>
      )}
      {!mine && (!summary.assignee || seesStaffSection(session)) && (
        <button type="button" className="secondary" onClick={() => onChange(session.staffId)}>{c.assignMe}</button>
      )}
      {summary.assignee && (mine || seesStaffSection(session)) && (
        <button type="button" className="secondary" onClick={() => onChange("")}>{c.unassign}</button>
      )}
    </div>
  );
}

// Meta shows the typing indicator for 25 seconds; while staff keep typing it is renewed at most this often.
const typingIntervalMs = 20_000;

function Composer({ workspace, summary, quote, onClearQuote, onDone, onError }: {
  workspace: Workspace;
  summary: ConversationSummary;
  quote: QuoteChoice | null;
  onClearQuote: () => void;
  onDone: () => void;
  onError: (e: unknown) => void;
}) {
  const typedAt = useRef(0);
  const { client, cannedReplies, tenant } = workspace;
  const [reply, setReply] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  // One id per text: a retry after a lost answer sends it once (the API is idempotent by request_id).
  const replyId = useRef(crypto.randomUUID());
  const noteId = useRef(crypto.randomUUID());
  const closed = !!summary.windowCloseTime && !summary.windowOpen;

  const sendReply = async (e: FormEvent) => {
    e.preventDefault();
    if (!reply.trim()) return;
    setBusy(true);
    try {
      await client.reply({ conversation: summary.name, text: reply, requestId: replyId.current, quotedMessageId: quote?.messageId ?? "" });
      replyId.current = crypto.randomUUID();
      setReply("");
      onClearQuote();
      setDone(c.sent);
      onDone();
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  const saveNote = async (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return;
    setBusy(true);
    try {
      await client.addNote({ conversation: summary.name, text: note, requestId: noteId.current });
      noteId.current = crypto.randomUUID();
      setNote("");
      setDone(c.noteSaved);
      onDone();
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  const insertCanned = (index: string) => {
    const canned = cannedReplies[Number(index)];
    if (canned) {
      setReply((current) => (current ? `${current}\n` : "") + canned.text.replaceAll("{name}", summary.displayName || ""));
      replyId.current = crypto.randomUUID();
    }
  };

  return (
    <div className="composer">
      <form onSubmit={sendReply} aria-labelledby="reply-heading">
        <h3 id="reply-heading">{c.replyHeading}</h3>
        {cannedReplies.length > 0 && (
          <label>
            {c.canned}
            <select value="" onChange={(e) => insertCanned(e.target.value)}>
              <option value="">{c.cannedChoose}</option>
              {cannedReplies.map((r, i) => <option key={r.title} value={i}>{r.title}</option>)}
            </select>
          </label>
        )}
        {quote && (
          <div className="quoting">
            <p><span className="quote-sender">{c.quoting}</span> <span className="quote-text">{quote.preview}</span></p>
            <button type="button" className="secondary" onClick={onClearQuote}>{c.quoteCancel}</button>
          </div>
        )}
        <label htmlFor="reply-text">{c.replyLabel}</label>
        <textarea id="reply-text" rows={3} maxLength={4096} value={reply} aria-describedby="reply-hint"
          onChange={(e) => {
            setReply(e.target.value);
            // The citizen sees "schreibt …" while staff type (never from a poll): at most once per 20 seconds.
            if (e.target.value && !closed && Date.now() - typedAt.current > typingIntervalMs) {
              typedAt.current = Date.now();
              client.signalTyping({ conversation: summary.name }).catch(() => undefined);
            }
          }} />
        <p id="reply-hint" className="hint">{c.replyHint}</p>
        <p className="hint cost" data-pricing={closed ? "template" : "service"}>
          {!closed ? c.costService : tenant.windowTemplate ? c.costTemplate(tenant.windowTemplate) : c.costNone}
        </p>
        <button type="submit" disabled={busy || !reply.trim()}>
          {busy ? c.sending : closed && tenant.windowTemplate ? c.sendTemplate : c.send}
        </button>
      </form>
      <form onSubmit={saveNote} className="note-form" aria-labelledby="note-heading">
        <h3 id="note-heading">{c.noteHeading}</h3>
        <label htmlFor="note-text">{c.noteLabel}</label>
        <textarea id="note-text" rows={2} maxLength={4096} value={note} onChange={(e) => setNote(e.target.value)} />
        <button type="submit" className="secondary" disabled={busy || !note.trim()}>{c.saveNote}</button>
      </form>
      <p className="sr-only" role="status">{done}</p>
    </div>
  );
}
