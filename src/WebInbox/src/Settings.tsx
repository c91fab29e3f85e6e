import { Code, ConnectError } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type ReactNode, useCallback, useEffect, useId, useState } from "react";
import type { AcknowledgementPreviewResponse, SettingsFieldError, TenantSettingsChange, TestTriageResponse } from "./gen/goldbach/staff/v1/settings_pb";
import { formatWhen } from "./format";
import { type Doc, getAt, joined, type Json, seconds, setAt, split, text, timeSpan } from "./settingsDocument";
import { texts } from "./texts";
import { useFailure } from "./useFailure";
import type { Workspace } from "./workspace";

const t = texts.settings;
const weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

interface Loaded {
  version: bigint;
  doc: Doc;
  changed: string;
}

/**
 * "Einstellungen" (admins only): the town's office hours, closing days, acknowledgement texts, canned replies,
 * categories, staff numbers, lists, rota defaults, retention and limits, saved as one new version. The gateway checks
 * every field with the rules the silo starts with and names the fields it refuses.
 */
export function Settings({ workspace, onBack }: { workspace: Workspace; onBack: () => void }) {
  const { client, session, signOut } = workspace;
  const parent = `tenants/${session.tenant}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [doc, setDoc] = useState<Doc>({});
  const [errors, setErrors] = useState<SettingsFieldError[]>([]);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [changes, setChanges] = useState<TenantSettingsChange[]>([]);
  const fail = useFailure(signOut, setError);

  const load = useCallback(async () => {
    const current = await client.getTenantSettings({ parent });
    setChanges((await client.listTenantSettingsChanges({ parent })).changes);
    const parsed = JSON.parse(current.documentJson) as Doc;
    setLoaded({ version: current.version, doc: parsed, changed: current.changeTime ? formatWhen(current.changeTime) : "" });
    setDoc(parsed);
    return current.version;
  }, [client, parent]);

  useEffect(() => {
    load().catch(fail);
  }, [load, fail]);

  const save = async () => {
    if (!loaded) {
      return;
    }
    setBusy(true);
    setStatus("");
    setError("");
    try {
      const response = await client.updateTenantSettings({ parent, version: loaded.version, documentJson: JSON.stringify(doc) });
      setErrors(response.errors);
      if (response.saved && response.settings) {
        const parsed = JSON.parse(response.settings.documentJson) as Doc;
        setLoaded({ version: response.settings.version, doc: parsed, changed: response.settings.changeTime ? formatWhen(response.settings.changeTime) : "" });
        setDoc(parsed);
        setStatus(t.saved(response.settings.version));
        setChanges((await client.listTenantSettingsChanges({ parent })).changes);
      } else if (response.errors.length > 0) {
        setError(t.invalid(response.errors.length));
      } else {
        setStatus(t.unchanged);
      }
    } catch (e) {
      if (ConnectError.from(e).code === Code.Aborted) {
        // Someone saved first: show their version; the admin makes the change again on it.
        setError(`${ConnectError.from(e).rawMessage} ${t.reloaded}`);
        setErrors([]);
        await load().catch(fail);
      } else {
        fail(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const set = (path: string, value: Json | undefined) => setDoc((d) => setAt(d, path, value));
  const errorOf = (path: string) => errors.filter((e) => e.field === path).map((e) => e.message).join(" ");
  const field = { doc, set, errorOf };

  if (!loaded) {
    return (
      <main id="main" className="settings" tabIndex={-1}>
        <h2>{t.heading}</h2>
        {error ? <p role="alert" className="error">{error}</p> : <p role="status">{texts.loading}</p>}
      </main>
    );
  }

  const languages = Object.keys((getAt(doc, "Languages") as Doc | undefined) ?? {});
  const categories = Object.entries((getAt(doc, "Categories") as Doc | undefined) ?? {});
  const lists = Object.entries((getAt(doc, "Lists") as Doc | undefined) ?? {});
  const replies = (getAt(doc, "CannedReplies") as Json[] | undefined) ?? [];

  return (
    <main id="main" className="settings" tabIndex={-1}>
      <p><button type="button" className="secondary" onClick={onBack}>{texts.privacy.back}</button></p>
      <h2>{t.heading}</h2>
      <p className="meta" data-testid="settings-version">{t.version(loaded.version, loaded.changed)}</p>
      {error && <div role="alert" className="error"><p>{error}</p>
        {errors.length > 0 && <ul>{errors.map((e) => <li key={`${e.field}:${e.message}`}>{t.fieldNamed(e.field)}: {e.message}</li>)}</ul>}</div>}
      {status && <p role="status">{status}</p>}
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Card title={t.general}>
          <TextField {...field} path="Name" label={t.name} />
        </Card>
        <Card title={t.officeHours} hint={t.officeHoursHint}>
          <div className="grid">
            {weekdays.map((day) => <TextField key={day} {...field} path={`OfficeHours:${day}`} label={t.days[day]} placeholder="08:00-12:00, 14:00-18:00" />)}
          </div>
          <LinesField {...field} path="ClosedDays" label={t.closedDays} hint={t.closedDaysHint} />
        </Card>
        <Card title={t.acknowledgements} hint={t.acknowledgementsHint}>
          <AcknowledgementFields {...field} prefix="" language={t.german} />
          {languages.map((code) => (
            <AcknowledgementFields key={code} {...field} prefix={`Languages:${code}:`} language={code} onRemove={() => set(`Languages:${code}`, undefined)} />
          ))}
          <AddLanguage onAdd={(code) => set(`Languages:${code}`, { AcknowledgementText: "" })} />
          <Preview workspace={workspace} doc={doc} />
        </Card>
        <Card title={t.cannedReplies}>
          {replies.map((_, i) => (
            <fieldset key={i} className="entry">
              <legend>{t.reply(i + 1)}</legend>
              <TextField {...field} path={`CannedReplies:${i}:Title`} label={t.replyTitle} />
              <TextField {...field} path={`CannedReplies:${i}:Text`} label={t.replyText} multiline />
              <button type="button" className="secondary" onClick={() => set("CannedReplies", replies.filter((__, j) => j !== i))}>{t.removeReply(i + 1)}</button>
            </fieldset>
          ))}
          <button type="button" className="secondary" onClick={() => set("CannedReplies", [...replies, { Title: "", Text: "" }])}>{t.addReply}</button>
        </Card>
        <Card title={t.categories} hint={t.categoriesHint}>
          {categories.map(([name]) => (
            <div key={name} className="row">
              <CommaField {...field} path={`Categories:${name}`} label={t.categoryStems(name)} />
              <button type="button" className="secondary" onClick={() => set(`Categories:${name}`, undefined)}>{t.removeCategory(name)}</button>
            </div>
          ))}
          <AddNamed label={t.newCategory} button={t.addCategory} onAdd={(name) => set(`Categories:${name}`, [])} />
          <CommaField {...field} path="DangerWords" label={t.dangerWords} hint={t.dangerWordsHint} />
          <TriageTest workspace={workspace} doc={doc} />
        </Card>
        <Card title={t.staffNumbers}>
          <LinesField {...field} path="StaffNumbers" label={t.staffNumbersLabel} hint={t.staffNumbersHint} />
        </Card>
        <Card title={t.lists} hint={t.listsHint}>
          {lists.map(([id]) => (
            <fieldset key={id} className="entry">
              <legend>{t.list(id)}</legend>
              <TextField {...field} path={`Lists:${id}:Name`} label={t.listName} />
              <TextField {...field} path={`Lists:${id}:Description`} label={t.listDescription} multiline />
              <CommaField {...field} path={`Lists:${id}:Languages`} label={t.listLanguages} />
              {Object.keys((getAt(doc, `Lists:${id}:Keywords`) as Doc | undefined) ?? { de: [] }).map((code) => (
                <CommaField key={code} {...field} path={`Lists:${id}:Keywords:${code}`} label={t.listKeywords(code)} />
              ))}
              {Object.keys((getAt(doc, `Lists:${id}:Templates`) as Doc | undefined) ?? {}).map((code) => (
                <TextField key={code} {...field} path={`Lists:${id}:Templates:${code}:Name`} label={t.listTemplate(code)} />
              ))}
            </fieldset>
          ))}
          <AddNamed label={t.newList} button={t.addList} onAdd={(id) => set(`Lists:${id}`, { Name: id, Keywords: { de: [] } })} />
        </Card>
        <Card title={t.duty}>
          <NumberField {...field} path="Duty:EscalateAfter" label={t.escalateAfter} unit="min" scale={60} />
          <label className="check">
            <input type="checkbox" checked={getAt(doc, "Duty:NotifyNewConversationsInOfficeHours") === true}
              onChange={(e) => set("Duty:NotifyNewConversationsInOfficeHours", e.target.checked)} />
            {t.notifyInOfficeHours}
          </label>
        </Card>
        <Card title={t.retention}>
          <NumberField {...field} path="Retention:ResolvedConversationDays" label={t.resolvedDays} />
          <NumberField {...field} path="Retention:AuditEntryDays" label={t.auditDays} />
        </Card>
        <Card title={t.limits} hint={t.limitsHint}>
          <div className="grid">
            <NumberField {...field} path="FloodLimit:Burst" label={t.floodBurst} />
            <NumberField {...field} path="FloodLimit:Every" label={t.floodEvery} unit="s" scale={1} />
            <NumberField {...field} path="OutboundPerRecipient:Burst" label={t.paceBurst} />
            <NumberField {...field} path="OutboundPerRecipient:Every" label={t.paceEvery} unit="s" scale={1} />
            <NumberField {...field} path="MessagesPerSecond" label={t.perSecond} />
          </div>
        </Card>
        <p className="actions sticky-actions">
          <button type="submit" disabled={busy}>{t.save}</button>
          <button type="button" className="secondary" disabled={busy} onClick={() => { setDoc(loaded.doc); setErrors([]); setError(""); }}>{t.discard}</button>
        </p>
      </form>
      <Card title={t.history}>
        {changes.length === 0 ? <p className="meta">{t.noHistory}</p> : (
          <ol className="history" data-testid="settings-history">
            {changes.map((c) => (
              <li key={String(c.version)}>
                {t.change(c.version, c.changeTime ? formatWhen(c.changeTime) : "", c.staffId, c.sections.map((s) => t.fieldNamed(s.section)).join(", "))}
                {c.note && <span className="meta"> · {c.note}</span>}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </main>
  );
}

interface FieldProps {
  doc: Doc;
  set: (path: string, value: Json | undefined) => void;
  errorOf: (path: string) => string;
  path: string;
  label: string;
  hint?: string;
}

function Card({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="card">
      <h3 id={id}>{title}</h3>
      {hint && <p className="meta">{hint}</p>}
      {children}
    </section>
  );
}

function Labelled({ label, hint, error, children }: { label: string; hint?: string; error: string; children: (ids: { id: string; describedBy?: string }) => ReactNode }) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy: described })}
      {hint && <span id={`${id}-hint`} className="meta">{hint}</span>}
      {error && <span id={`${id}-error`} className="field-error">{error}</span>}
    </div>
  );
}

function TextField({ doc, set, errorOf, path, label, hint, multiline, placeholder }: FieldProps & { multiline?: boolean; placeholder?: string }) {
  const error = errorOf(path);
  return (
    <Labelled label={label} hint={hint} error={error}>
      {({ id, describedBy }) => multiline ? (
        <textarea id={id} rows={3} value={text(doc, path)} aria-invalid={error ? true : undefined} aria-describedby={describedBy}
          onChange={(e) => set(path, e.target.value)} />
      ) : (
        <input id={id} value={text(doc, path)} placeholder={placeholder} aria-invalid={error ? true : undefined} aria-describedby={describedBy}
          onChange={(e) => set(path, e.target.value)} />
      )}
    </Labelled>
  );
}

// The text of a list being typed: it follows the document when that changes from elsewhere (loaded, discarded), not
// while the entry still means the same list (a trailing comma or an empty line).
function useDraft(doc: Doc, path: string, separator: string, pattern: RegExp): [string, (value: string) => void] {
  const [draft, setDraft] = useState(joined(doc, path, separator));
  const stored = joined(doc, path, separator);
  useEffect(() => {
    setDraft((current) => (split(current, pattern).join(separator) === stored ? current : stored));
  }, [stored, separator, pattern]);
  return [draft, setDraft];
}

// A list of strings, one per line (staff numbers, closing days); an error of any entry shows beside the list.
function LinesField({ doc, set, errorOf, path, label, hint }: FieldProps) {
  const [draft, setDraft] = useDraft(doc, path, "\n", /\n/);
  const error = [errorOf(path), ...Array.from({ length: 50 }, (_, i) => errorOf(`${path}:${i}`) && `${i + 1}: ${errorOf(`${path}:${i}`)}`)].filter(Boolean).join(" ");
  return (
    <Labelled label={label} hint={hint} error={error}>
      {({ id, describedBy }) => (
        <textarea id={id} rows={4} value={draft} aria-invalid={error ? true : undefined} aria-describedby={describedBy}
          onChange={(e) => { setDraft(e.target.value); set(path, split(e.target.value, /\n/)); }} />
      )}
    </Labelled>
  );
}

function CommaField({ doc, set, errorOf, path, label, hint }: FieldProps) {
  const [draft, setDraft] = useDraft(doc, path, ", ", /,/);
  const error = errorOf(path);
  return (
    <Labelled label={label} hint={hint ?? t.commaHint} error={error}>
      {({ id, describedBy }) => (
        <input id={id} value={draft} aria-invalid={error ? true : undefined} aria-describedby={describedBy}
          onChange={(e) => { setDraft(e.target.value); set(path, split(e.target.value, /,/)); }} />
      )}
    </Labelled>
  );
}

// A number, or a .NET TimeSpan shown in seconds or minutes (scale: seconds per unit).
function NumberField({ doc, set, errorOf, path, label, unit, scale }: FieldProps & { unit?: string; scale?: number }) {
  const error = errorOf(path);
  const raw = text(doc, path);
  const shown = scale ? (raw ? String(Number(seconds(raw)) / scale) : "") : raw;
  return (
    <Labelled label={unit ? `${label} (${unit})` : label} error={error}>
      {({ id, describedBy }) => (
        <input id={id} type="number" inputMode="numeric" value={shown} aria-invalid={error ? true : undefined} aria-describedby={describedBy}
          onChange={(e) => set(path, scale ? timeSpan(String(Number(e.target.value) * scale)) : e.target.value === "" ? undefined : Number(e.target.value))} />
      )}
    </Labelled>
  );
}

function AcknowledgementFields(props: Omit<FieldProps, "path" | "label"> & { prefix: string; language: string; onRemove?: () => void }) {
  const { prefix, language, onRemove } = props;
  return (
    <fieldset className="entry">
      <legend>{t.languageLegend(language)}</legend>
      <TextField {...props} path={`${prefix}AcknowledgementText`} label={t.inHours} multiline />
      <TextField {...props} path={`${prefix}OutOfHoursAcknowledgementText`} label={t.outOfHours} hint={t.nextHint} multiline />
      <TextField {...props} path={`${prefix}UrgentAcknowledgementText`} label={t.urgent} hint={t.urgentHint} multiline />
      {onRemove && <button type="button" className="secondary" onClick={onRemove}>{t.removeLanguage(language)}</button>}
    </fieldset>
  );
}

function AddLanguage({ onAdd }: { onAdd: (code: string) => void }) {
  return <AddNamed label={t.newLanguage} button={t.addLanguage} onAdd={onAdd} />;
}

function AddNamed({ label, button, onAdd }: { label: string; button: string; onAdd: (name: string) => void }) {
  const [name, setName] = useState("");
  const id = useId();
  return (
    <div className="row add">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={name} onChange={(e) => setName(e.target.value)} />
      <button type="button" className="secondary" disabled={!name.trim()} onClick={() => { onAdd(name.trim()); setName(""); }}>{button}</button>
    </div>
  );
}

function Preview({ workspace, doc }: { workspace: Workspace; doc: Doc }) {
  const [at, setMoment] = useState("");
  const [preview, setPreview] = useState<AcknowledgementPreviewResponse | null>(null);
  const [error, setError] = useState("");
  const fail = useFailure(workspace.signOut, setError);
  const id = useId();
  const run = () => {
    setError("");
    workspace.client.previewAcknowledgement({
      parent: `tenants/${workspace.session.tenant}`,
      documentJson: JSON.stringify(doc),
      time: at ? timestampFromDate(new Date(at)) : undefined,
    }).then(setPreview).catch(fail);
  };
  return (
    <div className="preview-box">
      <div className="row">
        <label htmlFor={id}>{t.previewAt}</label>
        <input id={id} type="datetime-local" value={at} onChange={(e) => setMoment(e.target.value)} />
        <button type="button" className="secondary" onClick={run}>{t.preview}</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {preview && (
        <div role="status" data-testid="preview">
          {preview.errors.length > 0 ? <p className="error">{t.previewInvalid}</p> : (
            <>
              <p>{preview.open ? t.openNow : t.closed(preview.nextOpening)}</p>
              <dl>
                {preview.texts.map((p) => (
                  <div key={p.language}><dt>{p.language}</dt><dd>{p.text}</dd><dd className="meta">{t.urgent}: {p.urgentText}</dd></div>
                ))}
              </dl>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function TriageTest({ workspace, doc }: { workspace: Workspace; doc: Doc }) {
  const [message, setMessage] = useState("");
  const [result, setResult] = useState<TestTriageResponse | null>(null);
  const [error, setError] = useState("");
  const fail = useFailure(workspace.signOut, setError);
  const id = useId();
  const run = () => {
    setError("");
    workspace.client.testTriage({ parent: `tenants/${workspace.session.tenant}`, documentJson: JSON.stringify(doc), text: message })
      .then(setResult).catch(fail);
  };
  return (
    <div className="preview-box">
      <label htmlFor={id}>{t.testMessage}</label>
      <div className="row">
        <input id={id} value={message} onChange={(e) => setMessage(e.target.value)} />
        <button type="button" className="secondary" disabled={!message.trim()} onClick={run}>{t.test}</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {result && (
        <p role="status" data-testid="triage">
          {result.errors.length > 0 ? t.previewInvalid : t.triageResult(result.category, result.urgent)}
        </p>
      )}
    </div>
  );
}
