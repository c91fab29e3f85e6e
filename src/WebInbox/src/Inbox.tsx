import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { citizenOf, describeError, isUnauthenticated } from "./api";
import type { Workspace } from "./workspace";
import { formatPhone, formatWhen, isoOf, toDate } from "./format";
import {
  type ConversationSummary, ConversationStatus, InboxEventKind, InboxSection, Priority,
} from "./gen/goldbach/staff/v1/conversations_pb";
import { seesStaffSection } from "./session";
import { texts } from "./texts";
import type { InboxWatch } from "./useInboxWatch";

interface Filters {
  query: string;
  status: ConversationStatus;
  category: string;
  priority: Priority;
  assignee: "" | "mine" | "-";
  overdue: boolean;
  section: InboxSection;
}

const noFilters: Filters = {
  query: "", status: ConversationStatus.UNSPECIFIED, category: "", priority: Priority.UNSPECIFIED, assignee: "",
  overdue: false, section: InboxSection.UNSPECIFIED,
};

const pageSize = 100;

export function Inbox({ workspace, watch, selected, onSelect }: {
  workspace: Workspace;
  watch: InboxWatch;
  selected: string | null;
  onSelect: (name: string) => void;
}) {
  const { client, session, tenant } = workspace;
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [query, setQuery] = useState("");
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [next, setNext] = useState("");
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");
  const [announcement, setAnnouncement] = useState("");
  const reloadTimer = useRef<number | undefined>(undefined);

  const request = useCallback((pageToken: string) => ({
    parent: `tenants/${session.tenant}`,
    pageSize,
    pageToken,
    query: filters.query,
    status: filters.status,
    category: filters.category,
    priority: filters.priority,
    assignee: filters.assignee === "mine" ? session.staffId : filters.assignee,
    dueBefore: filters.overdue ? timestampFromDate(new Date()) : undefined,
    section: filters.section,
  }), [filters, session]);

  const load = useCallback(async () => {
    try {
      const page = await client.listConversations(request(""));
      setItems(page.conversations);
      setNext(page.nextPageToken);
      setError("");
    } catch (e) {
      if (isUnauthenticated(e)) {
        workspace.signOut(texts.errors.unauthenticated);
      } else {
        setError(describeError(e));
      }
    } finally {
      setLoading(false);
    }
  }, [client, request, workspace]);

  useEffect(() => {
    setLoading(true);
    void load();
  }, [load]);

  // Live: show the event's summary at once, then ask for the list again (order and filters are the server's).
  useEffect(() => {
    const event = watch.event;
    if (!event) {
      return;
    }
    const summary = event.conversation;
    if (summary && event.kind !== InboxEventKind.RESET) {
      setItems((current) => {
        const index = current.findIndex((c) => c.name === summary.name);
        return index >= 0 ? current.map((c, i) => (i === index ? summary : c)) : [summary, ...current];
      });
      if (event.kind === InboxEventKind.NEW_CONVERSATION || event.kind === InboxEventKind.NEW_MESSAGE
        || event.kind === InboxEventKind.URGENT_ESCALATION) {
        setAnnouncement(texts.inbox.newMessage(summary.displayName || texts.inbox.noName));
      }
    }
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => void load(), 300);
  }, [watch.event, load]);

  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  const loadMore = async () => {
    try {
      const page = await client.listConversations(request(next));
      setItems((current) => [...current, ...page.conversations.filter((c) => !current.some((i) => i.name === c.name))]);
      setNext(page.nextPageToken);
    } catch (e) {
      setError(describeError(e));
    }
  };

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const search = (e: FormEvent) => {
    e.preventDefault();
    set("query", query.trim());
  };

  return (
    <nav className="inbox" aria-labelledby="inbox-heading">
      <div className="inbox-head">
        <h2 id="inbox-heading">{texts.inbox.heading}</h2>
        <span className={`live ${watch.connected ? "on" : "off"}`} role="status">
          {watch.connected ? texts.inbox.live : texts.inbox.offline}
        </span>
      </div>
      <form className="search" role="search" onSubmit={search}>
        <label htmlFor="inbox-search">{texts.inbox.search}</label>
        <div className="row">
          <input id="inbox-search" type="search" value={query} placeholder={texts.inbox.searchPlaceholder}
            onChange={(e) => setQuery(e.target.value)} />
          <button type="submit">{texts.inbox.searchSubmit}</button>
        </div>
      </form>
      <details className="filters">
        <summary>{texts.inbox.filters}</summary>
        <div className="filter-grid">
          <label>
            {texts.inbox.status}
            <select value={filters.status} onChange={(e) => set("status", Number(e.target.value))}>
              <option value={ConversationStatus.UNSPECIFIED}>{texts.inbox.any}</option>
              {[ConversationStatus.NEW, ConversationStatus.OPEN, ConversationStatus.WAITING_FOR_CITIZEN,
                ConversationStatus.SNOOZED, ConversationStatus.RESOLVED].map((s) => (
                <option key={s} value={s}>{texts.status[s]}</option>
              ))}
            </select>
          </label>
          <label>
            {texts.inbox.category}
            <select value={filters.category} onChange={(e) => set("category", e.target.value)}>
              <option value="">{texts.inbox.any}</option>
              {tenant.categories.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
          <label>
            {texts.inbox.priority}
            <select value={filters.priority} onChange={(e) => set("priority", Number(e.target.value))}>
              <option value={Priority.UNSPECIFIED}>{texts.inbox.any}</option>
              <option value={Priority.HIGH}>{texts.priority[Priority.HIGH]}</option>
              <option value={Priority.NORMAL}>{texts.priority[Priority.NORMAL]}</option>
            </select>
          </label>
          <label>
            {texts.inbox.assignee}
            <select value={filters.assignee} onChange={(e) => set("assignee", e.target.value as Filters["assignee"])}>
              <option value="">{texts.inbox.any}</option>
              <option value="mine">{texts.inbox.mine}</option>
              <option value="-">{texts.inbox.unassigned}</option>
            </select>
          </label>
          {seesStaffSection(session) && (
            <label>
              {texts.inbox.section}
              <select value={filters.section} onChange={(e) => set("section", Number(e.target.value))}>
                <option value={InboxSection.UNSPECIFIED}>{texts.inbox.any}</option>
                <option value={InboxSection.CITIZENS}>{texts.inbox.sectionCitizens}</option>
                <option value={InboxSection.STAFF}>{texts.inbox.sectionStaff}</option>
              </select>
            </label>
          )}
          <label className="check">
            <input type="checkbox" checked={filters.overdue} onChange={(e) => set("overdue", e.target.checked)} />
            {texts.inbox.overdueOnly}
          </label>
        </div>
      </details>
      <p className="sr-only" aria-live="polite">{announcement}</p>
      {error && <p className="error" role="alert">{error}</p>}
      {loading && items.length === 0 ? (
        <p role="status">{texts.loading}</p>
      ) : items.length === 0 ? (
        <p className="empty">{texts.inbox.empty}</p>
      ) : (
        <>
          <p className="count">{texts.inbox.count(items.length)}</p>
          <ul className="conversation-list">
            {items.map((c) => (
              <InboxItem key={c.name} summary={c} selected={c.name === selected} onSelect={onSelect} />
            ))}
          </ul>
          {next && <button type="button" className="secondary more" onClick={loadMore}>{texts.inbox.more}</button>}
        </>
      )}
    </nav>
  );
}

function InboxItem({ summary: c, selected, onSelect }: {
  summary: ConversationSummary;
  selected: boolean;
  onSelect: (name: string) => void;
}) {
  const due = toDate(c.dueTime);
  const overdue = !!due && due.getTime() <= Date.now() && isActive(c.status);
  const who = c.displayName || (c.phoneNumber ? formatPhone(c.phoneNumber) : c.username ? `@${c.username}` : texts.inbox.noName);
  return (
    <li className={`item ${c.urgent ? "urgent" : ""} ${c.unread ? "unread" : ""}`} data-conversation={c.name}>
      <a href={`#/c/${encodeURIComponent(citizenOf(c.name))}`} aria-current={selected ? "true" : undefined}
        onClick={(e) => { e.preventDefault(); onSelect(c.name); }}>
        <span className="line1">
          {c.unread && <span className="dot" title={texts.inbox.unread}><span className="sr-only">{texts.inbox.unread}: </span></span>}
          <span className="who">{who}</span>
          <time dateTime={isoOf(c.lastMessageTime)}>{formatWhen(c.lastMessageTime)}</time>
        </span>
        <span className="preview">{c.lastMessagePreview}</span>
        <span className="badges">
          {c.urgent && <span className="badge urgent">{texts.inbox.urgent}</span>}
          {c.priority === Priority.HIGH && !c.urgent && <span className="badge high">{texts.priority[Priority.HIGH]}</span>}
          <span className="badge status">{texts.status[c.status]}</span>
          {c.category && <span className="badge">{c.category}</span>}
          {isActive(c.status) && due && (
            <span className={`badge ${overdue ? "overdue" : "due"}`}>
              {overdue ? texts.inbox.overdue : texts.inbox.due}: <time dateTime={due.toISOString()}>{formatWhen(due)}</time>
            </span>
          )}
          {c.assignee && <span className="badge assignee">{texts.inbox.assignedTo(c.assignee)}</span>}
          {c.flooding && <span className="badge">{texts.inbox.flooding}</span>}
          {c.failedMessages > 0 && <span className="badge failed">{texts.inbox.failed(c.failedMessages)}</span>}
        </span>
      </a>
    </li>
  );
}

const isActive = (s: ConversationStatus) =>
  s === ConversationStatus.NEW || s === ConversationStatus.OPEN;
