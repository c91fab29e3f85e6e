import { useCallback, useEffect, useState } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import { citizenOf, fetchMedia } from "./api";
import { type RequestPhoto, type RequestService, RequestStatus, type ServiceRequest } from "./gen/goldbach/staff/v1/requests_pb";
import { formatWhen, isoOf } from "./format";
import { texts } from "./texts";
import { useFailure } from "./useFailure";
import type { Workspace } from "./workspace";

const t = texts.requests;
const STATES = [RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS, RequestStatus.DONE, RequestStatus.REJECTED, RequestStatus.DUPLICATE];

/** The path that shows one request (the department's mail links to it). */
export const requestPath = (id: string) => `#/anliegen/${encodeURIComponent(id)}`;

/** The tenant's services (with their departments), loaded once per view. */
function useServices(workspace: Workspace, onError: (e: unknown) => void): RequestService[] {
  const { client, session } = workspace;
  const [services, setServices] = useState<RequestService[]>([]);
  useEffect(() => {
    let cancelled = false;
    client.listRequestServices({ parent: `tenants/${session.tenant}` })
      .then((r) => !cancelled && setServices(r.services))
      .catch((e) => !cancelled && onError(e));
    return () => {
      cancelled = true;
    };
  }, [client, session.tenant, onError]);
  return services;
}

/**
 * The requests (Anliegen): filters by service, status, department and overdue, a table newest first, and the request
 * chosen from it beside the table. Department staff see their department's only (the gateway narrows every call).
 */
export function Requests({ workspace, selected, onBack }: { workspace: Workspace; selected: string | null; onBack?: () => void }) {
  const { client, session, signOut } = workspace;
  const parent = `tenants/${session.tenant}`;
  const [error, setError] = useState("");
  const fail = useFailure(signOut, setError);
  const services = useServices(workspace, fail);
  const [service, setService] = useState("");
  const [status, setStatus] = useState(0);
  const [department, setDepartment] = useState("");
  const [overdue, setOverdue] = useState(false);
  const [requests, setRequests] = useState<ServiceRequest[] | null>(null);

  const reload = useCallback(async () => {
    try {
      const r = await client.listRequests({
        parent,
        serviceCodes: service ? [service] : [],
        statuses: status ? [status] : [],
        department,
        overdue,
      });
      setRequests(r.requests);
      setError("");
    } catch (e) {
      fail(e);
    }
  }, [client, parent, service, status, department, overdue, fail]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const departments = [...new Map(services.map((s) => [s.department, s.departmentName || s.department])).entries()];
  const serviceName = (code: string) => services.find((s) => s.serviceCode === code)?.name ?? code;

  return (
    <main id="main" className="requests" tabIndex={-1}>
      {onBack && <p><button type="button" className="secondary" onClick={onBack}>{t.back}</button></p>}
      <h2>{session.departmentName ? t.headingFor(session.departmentName) : t.heading}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <form className="request-filters" role="search" aria-label={t.filters} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t.service}
          <select value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">{t.all}</option>
            {services.map((s) => <option key={s.serviceCode} value={s.serviceCode}>{s.name}</option>)}
          </select>
        </label>
        <label>
          {t.status}
          <select value={status} onChange={(e) => setStatus(Number(e.target.value))}>
            <option value={0}>{t.all}</option>
            {STATES.map((s) => <option key={s} value={s}>{t.states[s]}</option>)}
          </select>
        </label>
        {!session.department && (
          <label>
            {t.department}
            <select value={department} onChange={(e) => setDepartment(e.target.value)}>
              <option value="">{t.all}</option>
              {departments.map(([key, name]) => <option key={key} value={key}>{name}</option>)}
            </select>
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} />
          {t.overdueOnly}
        </label>
      </form>
      <p role="status" className="request-count">{requests ? t.count(requests.length) : texts.loading}</p>
      <div className="request-layout">
        {requests && requests.length === 0 ? <p>{t.none}</p> : requests && (
          <div className="table-scroll" role="region" aria-label={t.table} tabIndex={0}>
            <table className="request-table">
              <caption className="sr-only">{t.table}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.number}</th>
                  <th scope="col">{t.service}</th>
                  <th scope="col">{t.status}</th>
                  <th scope="col">{t.department}</th>
                  <th scope="col">{t.received}</th>
                  <th scope="col">{t.due}</th>
                </tr>
              </thead>
              <tbody>
                {requests.map((r) => (
                  <tr key={r.name} data-request={r.id} aria-current={r.id === selected ? "true" : undefined}>
                    <th scope="row"><a href={requestPath(r.id)}>{r.id}</a></th>
                    <td>{r.serviceName || serviceName(r.serviceCode)}</td>
                    <td className="request-status">{t.states[r.status]}</td>
                    <td>{r.departmentName}</td>
                    <td><time dateTime={isoOf(r.createTime)}>{formatWhen(r.createTime)}</time></td>
                    <td>
                      <time dateTime={isoOf(r.expectedTime)}>{formatWhen(r.expectedTime)}</time>
                      {r.overdue && <> <span className="badge overdue">{t.overdue}</span></>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {selected && <RequestDetail key={selected} workspace={workspace} id={selected} onChanged={() => void reload()} />}
      </div>
    </main>
  );
}

/** One request: what it is, where, its photos, the department's mail, and the form that moves it on. */
function RequestDetail({ workspace, id, onChanged }: { workspace: Workspace; id: string; onChanged: () => void }) {
  const { client, session, signOut } = workspace;
  const name = `tenants/${session.tenant}/requests/${id}`;
  const [request, setRequest] = useState<ServiceRequest | null>(null);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [next, setNext] = useState<RequestStatus>(RequestStatus.IN_PROGRESS);
  const [notes, setNotes] = useState("");
  const fail = useFailure(signOut, setError);

  const load = useCallback(async () => {
    try {
      const r = await client.getRequest({ name });
      setRequest(r);
      setNext(r.status === RequestStatus.RECEIVED ? RequestStatus.IN_PROGRESS : r.status === RequestStatus.IN_PROGRESS ? RequestStatus.DONE : r.status);
      setNotes(r.statusNotes);
      setError("");
    } catch (e) {
      fail(e);
    }
  }, [client, name, fail]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!request) {
    return <section className="request-detail" aria-label={id}><p role="status">{error || texts.loading}</p></section>;
  }
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const saved = await client.updateRequestStatus({ name, status: next, statusNotes: notes, version: request.version });
      setRequest(saved);
      setNotice(t.saved(t.states[saved.status]));
      setError("");
      onChanged();
    } catch (err) {
      if (ConnectError.from(err).code === Code.Aborted) {
        setNotice(t.stale);
        void load();
      } else {
        fail(err);
      }
    }
  };
  const place = request.place;
  const mail = request.departmentNotifiedTime ? t.mailSent(formatWhen(request.departmentNotifiedTime))
    : request.departmentMailPending ? t.mailPending
      : request.departmentMailError ? t.mailFailed(request.departmentMailError) : t.mailNone;

  return (
    <section className="request-detail" aria-labelledby="request-heading" data-request-detail={request.id}>
      <h3 id="request-heading">{t.detail(request.id, request.serviceName)}</h3>
      <p><a href="#/anliegen">{t.close}</a></p>
      {error && <p role="alert" className="error">{error}</p>}
      <dl className="facts">
        <dt>{t.status}</dt><dd className="request-status">{t.states[request.status]}{request.statusNotes && ` – ${request.statusNotes}`}</dd>
        <dt>{t.department}</dt><dd>{request.departmentName}</dd>
        <dt>{t.received}</dt><dd>{formatWhen(request.createTime)}</dd>
        <dt>{t.due}</dt><dd>{formatWhen(request.expectedTime)}{request.overdue && <> <span className="badge overdue">{t.overdue}</span></>}</dd>
        <dt>{t.place}</dt>
        <dd>{place ? <>
          {place.address && <>{place.address}, </>}
          <a href={`geo:${place.latitude},${place.longitude}`}>{place.latitude.toFixed(6)}, {place.longitude.toFixed(6)}</a>
          {place.private && <> ({t.sharedPrivate})</>}
        </> : t.noPlace}</dd>
        <dt>{t.mail}</dt><dd className="request-mail">{mail}</dd>
        {request.conversation && <><dt>{t.conversation}</dt><dd><a href={`#/c/${encodeURIComponent(citizenOf(request.conversation))}`}>{t.openConversation}</a></dd></>}
      </dl>
      <h4>{t.description}</h4>
      <p className="request-text">{request.description}</p>
      {request.publicDescription !== request.description && <><h4>{t.publicDescription}</h4><p className="request-text">{request.publicDescription}</p></>}
      {request.photos.length > 0 && <>
        <h4>{t.photos}</h4>
        <ul className="request-photos">
          {request.photos.map((p, i) => <li key={p.messageId}><Photo photo={p} alt={t.photo(i + 1, request.id)} token={session.token} /></li>)}
        </ul>
      </>}
      <form className="request-status-form" onSubmit={save}>
        <label>
          {t.newStatus}
          <select value={next} onChange={(e) => setNext(Number(e.target.value))}>
            {STATES.map((s) => <option key={s} value={s}>{t.states[s]}</option>)}
          </select>
        </label>
        <label>
          {t.notes}
          <textarea value={notes} rows={2} maxLength={500} onChange={(e) => setNotes(e.target.value)} />
        </label>
        <button type="submit">{t.save}</button>
      </form>
      <p role="status" className="request-notice">{notice}</p>
    </section>
  );
}

function Photo({ photo, alt, token }: { photo: RequestPhoto; alt: string; token: () => string }) {
  const [url, setUrl] = useState("");
  useEffect(() => {
    const abort = new AbortController();
    let objectUrl = "";
    fetchMedia(token, photo.downloadPath, abort.signal).then((u) => { objectUrl = u; setUrl(u); }).catch(() => undefined);
    return () => {
      abort.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [photo.downloadPath, token]);
  return (
    <figure>
      {url ? <img src={url} alt={alt} /> : <span className="meta">{alt}: {texts.loading}</span>}
      {photo.released && <figcaption>{t.photoReleased}</figcaption>}
    </figure>
  );
}

/**
 * The conversation's requests in its side panel, and a new one in one step: the service proposed from the
 * conversation's category, the citizen's latest words as the description, their shared place and photos.
 */
export function ConversationRequests({ workspace, conversation, category, suggestion, windowOpen, onAsked }: {
  workspace: Workspace; conversation: string; category: string; suggestion: string; windowOpen: boolean; onAsked: () => void;
}) {
  const { client, session, signOut } = workspace;
  const parent = `tenants/${session.tenant}`;
  const [error, setError] = useState("");
  const fail = useFailure(signOut, setError);
  const services = useServices(workspace, fail);
  const [requests, setRequests] = useState<ServiceRequest[]>([]);
  const [service, setService] = useState("");
  const [description, setDescription] = useState(suggestion);
  const [takePlace, setTakePlace] = useState(true);
  const [address, setAddress] = useState("");
  const [takePhotos, setTakePhotos] = useState(true);
  const [notice, setNotice] = useState("");
  const [requestId, setRequestId] = useState(() => crypto.randomUUID().replaceAll("-", ""));

  const reload = useCallback(async () => {
    try {
      setRequests((await client.listRequests({ parent, conversation })).requests);
    } catch (e) {
      fail(e);
    }
  }, [client, parent, conversation, fail]);

  useEffect(() => {
    void reload();
  }, [reload]);
  useEffect(() => {
    const proposed = services.find((s) => s.category === category)?.serviceCode;
    setService((current) => current || proposed || "");
  }, [services, category]);
  useEffect(() => setDescription((current) => current || suggestion), [suggestion]);

  const askForPlace = async () => {
    try {
      await client.requestLocation({ conversation, requestId: crypto.randomUUID().replaceAll("-", "") });
      setNotice(t.placeAsked);
      setError("");
      onAsked();
    } catch (err) {
      fail(err);
    }
  };

  // Triage's proposal: the service of the conversation's category (as the gateway proposes it), for staff to confirm.
  const proposed = services.find((s) => s.category === category);

  const create = async (e?: React.FormEvent, serviceCode = service) => {
    e?.preventDefault();
    try {
      const made = await client.createRequest({
        parent, conversation, serviceCode, description, address: address.trim(),
        placeFromConversation: takePlace, photosFromConversation: takePhotos, requestId,
      });
      setNotice(t.created(made.id, made.departmentName));
      setRequestId(crypto.randomUUID().replaceAll("-", ""));
      setError("");
      void reload();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section className="requests-panel" aria-labelledby="requests-panel-heading">
      <h3 id="requests-panel-heading">{t.panel}</h3>
      {error && <p role="alert" className="error">{error}</p>}
      {requests.length === 0 ? <p>{t.panelNone}</p> : (
        <ul className="panel-requests">
          {requests.map((r) => (
            <li key={r.name} data-request={r.id}>
              <a href={requestPath(r.id)}>{r.id}</a> · {r.serviceName} · <span className="request-status">{t.states[r.status]}</span>
              {r.overdue && <> <span className="badge overdue">{t.overdue}</span></>}
            </li>
          ))}
        </ul>
      )}
      {requests.length === 0 && proposed && description.trim() && (
        <div className="proposal" role="note">
          <p>{t.proposal(proposed.name, proposed.departmentName)}</p>
          <button type="button" onClick={() => void create(undefined, proposed.serviceCode)}>{t.takeProposal}</button>
        </div>
      )}
      {windowOpen && <p><button type="button" className="secondary" onClick={() => void askForPlace()}>{t.askPlace}</button></p>}
      <details>
        <summary>{t.create}</summary>
        <form className="request-create" onSubmit={(e) => void create(e)} aria-label={t.createHeading}>
          <label>
            {t.service}
            <select value={service} required onChange={(e) => setService(e.target.value)}>
              <option value="" disabled>{t.chooseService}</option>
              {services.map((s) => <option key={s.serviceCode} value={s.serviceCode}>{s.name} ({s.departmentName})</option>)}
            </select>
          </label>
          <label>
            {t.forDepartment}
            <textarea value={description} rows={3} required maxLength={4000} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <label className="check"><input type="checkbox" checked={takePlace} onChange={(e) => setTakePlace(e.target.checked)} />{t.takePlace}</label>
          <label>
            {t.address}
            <input type="text" value={address} autoComplete="off" onChange={(e) => setAddress(e.target.value)} />
          </label>
          <label className="check"><input type="checkbox" checked={takePhotos} onChange={(e) => setTakePhotos(e.target.checked)} />{t.takePhotos}</label>
          <button type="submit">{t.create}</button>
        </form>
      </details>
      <p role="status" className="request-notice">{notice}</p>
    </section>
  );
}
