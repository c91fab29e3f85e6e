import { useEffect, useState } from "react";
import { fetchMedia } from "./api";
import { formatBytes, formatPhone, formatWhen, isoOf } from "./format";
import {
  type ConversationEntry, type ConversationEvent, ConversationEventKind, DeliveryState, type InboundMessage, type Media,
  MediaStatus, type OutboundMessage, OutboundKind, type QuotedMessage,
} from "./gen/goldbach/staff/v1/conversations_pb";
import { texts } from "./texts";

const t = texts.entry;

/** A message staff chose to quote in their reply. */
export interface QuoteChoice { messageId: string; preview: string }

/** What staff can do with a citizen's message from the history: quote it in the reply, react to it. */
export interface EntryActions {
  quote: (choice: QuoteChoice) => void;
  react: (messageId: string, emoji: string) => void;
  windowOpen: boolean;
}

/** The town's usual reaction: "erledigt". */
const doneEmoji = "✅";

/** One entry of the history: the citizen's message, the town's message, or a change (a note stands apart). */
export function Entry({ entry, token, actions }: { entry: ConversationEntry; token: () => string; actions?: EntryActions }) {
  switch (entry.entry.case) {
    case "inbound":
      return <Inbound message={entry.entry.value} token={token} actions={actions} />;
    case "outbound":
      return <Outbound message={entry.entry.value} />;
    case "event":
      return <Event event={entry.entry.value} />;
    default:
      return null;
  }
}

/** The message a reply quotes (or a reaction, edit or deletion refers to): a button that jumps to it when in view. */
function Quote({ quoted }: { quoted: QuotedMessage }) {
  const who = quoted.fromTown ? t.town : t.citizen;
  const jump = () => {
    const target = document.querySelector<HTMLElement>(`[data-wamid="${CSS.escape(quoted.messageId)}"]`);
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.querySelector<HTMLElement>("article")?.focus();
    }
  };
  return (
    <button type="button" className="quote" onClick={jump}>
      <span className="sr-only">{t.quoteLabel}</span>
      <span className="quote-sender">{who}</span>
      <span className="quote-text">{quoted.preview || t.deleted}</span>
    </button>
  );
}

/** A reaction on a message: the emoji for the eye, who reacted for a screen reader. */
function Badge({ emoji, label, town = false }: { emoji: string; label: string; town?: boolean }) {
  return (
    <p className={`reaction-badge${town ? " town" : ""}`}>
      <span aria-hidden="true">{emoji}</span>
      <span className="sr-only">{label}</span>
    </p>
  );
}

function Inbound({ message: m, token, actions }: { message: InboundMessage; token: () => string; actions?: EntryActions }) {
  if (m.appliedToTarget) {
    // A reaction, edit or deletion shown on the message it changed.
    return null;
  }
  const deleted = !!m.revokeTime;
  return (
    <li className={`entry inbound${deleted ? " deleted" : ""}`} data-wamid={m.whatsappMessageId}>
      <article aria-label={`${t.citizen}, ${formatWhen(m.sendTime)}`} tabIndex={-1}>
        <header>
          <span className="sender">{t.citizen}</span>
          <time dateTime={isoOf(m.sendTime)}>{formatWhen(m.sendTime)}</time>
          {m.editTime && !deleted && <span className="edited" title={formatWhen(m.editTime)}>{t.edited}</span>}
        </header>
        {m.context?.frequentlyForwarded ? <p className="meta">{t.frequentlyForwarded}</p>
          : m.context?.forwarded ? <p className="meta">{t.forwarded}</p> : null}
        {m.replyToBroadcast ? <p className="meta">{t.replyToBroadcast}</p>
          : m.quoted ? <Quote quoted={m.quoted} />
            : m.context?.repliedToMessageId && <p className="meta">{t.replyTo}</p>}
        {deleted && <p className="text deleted-text">{t.deleted}</p>}
        {m.type === "edit" && <p className="meta">{t.editOf}</p>}
        {m.type === "revoke" && <p className="meta">{t.revokeOf}</p>}
        {m.groupId && <p className="meta">{t.group}</p>}
        {m.media && <MediaView media={m.media} token={token} />}
        {m.text && (!m.media || m.media.caption !== m.text) && <p className="text">{m.text}</p>}
        {m.location && <LocationView message={m} />}
        {m.contacts.map((c, i) => (
          <div className="contact" key={i}>
            <p className="meta">{t.contact}</p>
            <p><strong>{c.formattedName}</strong>{c.organization && `, ${c.organization}`}</p>
            <ul>
              {c.phoneNumbers.map((p) => <li key={p}><a href={`tel:${p}`}>{formatPhone(p)}</a></li>)}
              {c.emails.map((e) => <li key={e}><a href={`mailto:${e}`}>{e}</a></li>)}
            </ul>
          </div>
        ))}
        {m.button && <p className="text">{t.button(m.button.title || m.button.id)}</p>}
        {m.reaction && <p className="text reaction">{m.reaction.emoji ? t.reaction(m.reaction.emoji) : t.reactionRemoved}</p>}
        {m.system && <p className="meta">{t.system}: {m.system.body}</p>}
        {m.type === "unsupported" && <p className="meta">{t.unsupported(m.unsupportedType)}</p>}
        {m.referral && <p className="meta">{t.referral}: {m.referral.headline || m.referral.sourceUrl}</p>}
        {m.citizenReaction && <Badge emoji={m.citizenReaction} label={t.citizenReacted(m.citizenReaction)} />}
        {m.previousTexts.length > 0 && !deleted && (
          <details className="previous">
            <summary>{t.previousTexts(m.previousTexts.length)}</summary>
            <ol>{m.previousTexts.map((p, i) => <li key={i}>{p}</li>)}</ol>
          </details>
        )}
        {m.townReaction && <Badge emoji={m.townReaction} label={t.townReacted(m.townReaction)} town />}
        {actions && !deleted && !["reaction", "edit", "revoke", "system"].includes(m.type) && (
          <div className="entry-actions">
            <button type="button" className="secondary small"
              onClick={() => actions.quote({ messageId: m.whatsappMessageId, preview: m.text || (m.media ? `[${m.media.kind}]` : `[${m.type}]`) })}>
              {t.quote}
            </button>
            {actions.windowOpen && (
              <button type="button" className="secondary small" aria-pressed={m.townReaction === doneEmoji}
                onClick={() => actions.react(m.whatsappMessageId, m.townReaction === doneEmoji ? "" : doneEmoji)}>
                {t.reactDone}
              </button>
            )}
          </div>
        )}
      </article>
    </li>
  );
}

function LocationView({ message: m }: { message: InboundMessage }) {
  const l = m.location!;
  const map = `https://www.openstreetmap.org/?mlat=${l.latitude}&mlon=${l.longitude}#map=18/${l.latitude}/${l.longitude}`;
  return (
    <div className="location">
      <p className="meta">{t.location}</p>
      {(l.name || l.address) && <p>{[l.name, l.address].filter(Boolean).join(", ")}</p>}
      <p>
        <a href={map} target="_blank" rel="noopener noreferrer">{t.openMap}</a>{" "}
        <span className="coords">({l.latitude.toFixed(5)}, {l.longitude.toFixed(5)})</span>
      </p>
    </div>
  );
}

/** Stored media are fetched with the bearer token and shown from an object URL. */
function MediaView({ media, token }: { media: Media; token: () => string }) {
  const [url, setUrl] = useState("");
  const [failed, setFailed] = useState(false);
  const stored = media.status === MediaStatus.STORED && !!media.downloadPath;

  useEffect(() => {
    if (!stored) {
      return;
    }
    const abort = new AbortController();
    let objectUrl = "";
    fetchMedia(token, media.downloadPath, abort.signal)
      .then((u) => { objectUrl = u; setUrl(u); })
      .catch(() => { if (!abort.signal.aborted) setFailed(true); });
    return () => {
      abort.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [stored, media.downloadPath, token]);

  const label = media.kind === "image" ? t.photo : media.kind === "sticker" ? t.sticker : media.kind === "video" ? t.video
    : media.kind === "audio" ? (media.voice ? t.voice : t.audio) : t.document;
  if (media.status === MediaStatus.FAILED) {
    return <p className="meta media-failed">{label}: {t.mediaFailed(media.failureReason)}</p>;
  }
  if (!stored) {
    return <p className="meta">{label}: {t.mediaPending}</p>;
  }
  if (failed) {
    return <p className="meta media-failed">{label}: {t.mediaLoadFailed}</p>;
  }
  if (!url) {
    return <p className="meta">{label}: {texts.loading}</p>;
  }
  const description = media.caption ? `${label}: ${media.caption}` : label;
  switch (media.kind) {
    case "image":
    case "sticker":
      return (
        <figure className="media">
          <a href={url} target="_blank" rel="noopener"><img src={url} alt={description} /></a>
          {media.caption && <figcaption>{media.caption}</figcaption>}
        </figure>
      );
    case "audio":
      return (
        <figure className="media">
          <figcaption>{label}</figcaption>
          <audio controls src={url} aria-label={label} />
        </figure>
      );
    case "video":
      return (
        <figure className="media">
          <video controls src={url} aria-label={description} />
          {media.caption && <figcaption>{media.caption}</figcaption>}
        </figure>
      );
    default: {
      const name = media.fileName || t.document;
      return (
        <p className="document">
          <a href={url} download={name}>{t.download(name)}</a> ({formatBytes(media.sizeBytes)})
        </p>
      );
    }
  }
}

function Outbound({ message: m }: { message: OutboundMessage }) {
  const kind = m.kind === OutboundKind.ACKNOWLEDGEMENT ? t.acknowledgement
    : m.kind === OutboundKind.WINDOW_TEMPLATE ? t.windowTemplate
      : m.kind === OutboundKind.BROADCAST ? t.broadcast
        : m.kind === OutboundKind.BROADCAST_TEMPLATE ? t.broadcastTemplate
          : m.kind === OutboundKind.LIST_CONFIRMATION ? t.listConfirmation
            : m.kind === OutboundKind.REACTION ? t.reactionKind
              : m.kind === OutboundKind.LOCATION_REQUEST ? t.locationRequest
                : m.kind === OutboundKind.REQUEST_STATUS ? t.requestStatus : t.staffReply;
  const state = m.state === DeliveryState.FAILED ? t.failed(m.failureReason) : t.delivery[m.state];
  const app = m.kind === OutboundKind.APP_ECHO;
  const reply = m.kind === OutboundKind.STAFF_REPLY || m.kind === OutboundKind.REACTION || m.kind === OutboundKind.LOCATION_REQUEST || app;
  return (
    <li className={`entry outbound ${reply ? "reply" : "automatic"}`} data-outbound={m.id} data-wamid={m.whatsappMessageId || undefined}>
      <article aria-label={`${app ? t.app : t.town}, ${kind}, ${formatWhen(m.createTime)}`} tabIndex={-1}>
        <header>
          <span className="sender">{app ? t.app : `${t.town} · ${kind}`}</span>
          <time dateTime={isoOf(m.createTime)}>{formatWhen(m.createTime)}</time>
          {m.editTime && !m.revokeTime && <span className="edited">{t.edited}</span>}
        </header>
        {m.quoted && <Quote quoted={m.quoted} />}
        {m.kind === OutboundKind.REACTION
          ? <p className="text">{m.text ? t.ourReaction(m.text) : t.ourReactionRemoved}</p>
          : m.revokeTime ? <p className="text deleted-text">{t.deleted}</p> : <p className="text">{m.text}</p>}
        {m.citizenReaction && <Badge emoji={m.citizenReaction} label={t.citizenReacted(m.citizenReaction)} />}
        <footer>
          <span className={`delivery state-${DeliveryState[m.state].toLowerCase()}`} data-state={DeliveryState[m.state]}>
            {state}
          </span>
          {m.sentBy && <span className="internal">{texts.conversation.readBy(m.sentBy)}</span>}
        </footer>
      </article>
    </li>
  );
}

function Event({ event: e }: { event: ConversationEvent }) {
  const by = t.events.by(e.actor);
  if (e.kind === ConversationEventKind.NOTE) {
    return (
      <li className="entry note">
        <article aria-label={`${t.note}, ${by}`}>
          <header>
            <span className="sender">{t.note} · {by}</span>
            <time dateTime={isoOf(e.time)}>{formatWhen(e.time)}</time>
          </header>
          <p className="text">{e.to}</p>
        </article>
      </li>
    );
  }
  const statusName = (v: string) => statusText[v] ?? v;
  const what = {
    [ConversationEventKind.STARTED]: t.events.started,
    [ConversationEventKind.STATUS_CHANGED]: t.events.status(statusName(e.from), statusName(e.to)),
    [ConversationEventKind.CATEGORY_CHANGED]: t.events.category(e.from, e.to),
    [ConversationEventKind.ESCALATED]: t.events.escalated,
    [ConversationEventKind.FLOOD_FLAGGED]: t.events.flood,
    [ConversationEventKind.ASSIGNED]: t.events.assigned(e.to),
    [ConversationEventKind.PRIORITY_CHANGED]: t.events.priority(priorityText[e.from] ?? e.from, priorityText[e.to] ?? e.to),
    [ConversationEventKind.BLOCKED]: t.events.blocked,
    [ConversationEventKind.UNBLOCKED]: t.events.unblocked,
  }[e.kind as number] ?? "";
  return (
    <li className="entry event">
      <p>
        {what} · {by} · <time dateTime={isoOf(e.time)}>{formatWhen(e.time)}</time>
      </p>
    </li>
  );
}

// The grain records statuses and priorities by their C# names.
const statusText: Record<string, string> = {
  New: texts.status[3], Open: texts.status[1], WaitingForCitizen: texts.status[2], Snoozed: texts.status[4], Resolved: texts.status[5],
};
const priorityText: Record<string, string> = { Normal: texts.priority[1], High: texts.priority[2] };
