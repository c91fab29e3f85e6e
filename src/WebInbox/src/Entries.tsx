import { useEffect, useState } from "react";
import { fetchMedia } from "./api";
import { formatBytes, formatPhone, formatWhen, isoOf } from "./format";
import {
  type ConversationEntry, type ConversationEvent, ConversationEventKind, DeliveryState, type InboundMessage, type Media,
  MediaStatus, type OutboundMessage, OutboundKind,
} from "./gen/goldbach/staff/v1/conversations_pb";
import { texts } from "./texts";

const t = texts.entry;

/** One entry of the history: the citizen's message, the town's message, or a change (a note stands apart). */
export function Entry({ entry, token }: { entry: ConversationEntry; token: () => string }) {
  switch (entry.entry.case) {
    case "inbound":
      return <Inbound message={entry.entry.value} token={token} />;
    case "outbound":
      return <Outbound message={entry.entry.value} />;
    case "event":
      return <Event event={entry.entry.value} />;
    default:
      return null;
  }
}

function Inbound({ message: m, token }: { message: InboundMessage; token: () => string }) {
  return (
    <li className="entry inbound" data-wamid={m.whatsappMessageId}>
      <article aria-label={`${t.citizen}, ${formatWhen(m.sendTime)}`}>
        <header>
          <span className="sender">{t.citizen}</span>
          <time dateTime={isoOf(m.sendTime)}>{formatWhen(m.sendTime)}</time>
        </header>
        {m.context?.frequentlyForwarded ? <p className="meta">{t.frequentlyForwarded}</p>
          : m.context?.forwarded ? <p className="meta">{t.forwarded}</p> : null}
        {m.replyToBroadcast ? <p className="meta">{t.replyToBroadcast}</p>
          : m.context?.repliedToMessageId && <p className="meta">{t.replyTo}</p>}
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
          : m.kind === OutboundKind.LIST_CONFIRMATION ? t.listConfirmation : t.staffReply;
  const state = m.state === DeliveryState.FAILED ? t.failed(m.failureReason) : t.delivery[m.state];
  return (
    <li className={`entry outbound ${m.kind === OutboundKind.STAFF_REPLY ? "reply" : "automatic"}`} data-outbound={m.id}>
      <article aria-label={`${t.town}, ${kind}, ${formatWhen(m.createTime)}`}>
        <header>
          <span className="sender">{t.town} · {kind}</span>
          <time dateTime={isoOf(m.createTime)}>{formatWhen(m.createTime)}</time>
        </header>
        <p className="text">{m.text}</p>
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
