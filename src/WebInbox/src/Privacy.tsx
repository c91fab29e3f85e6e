import { Code, ConnectError } from "@connectrpc/connect";
import { useCallback, useEffect, useState } from "react";
import { useFailure } from "./useFailure";
import type { Workspace } from "./workspace";
import type { ErasureResult, RetentionReport } from "./gen/goldbach/staff/v1/privacy_pb";
import { formatWhen } from "./format";
import { texts } from "./texts";

const t = texts.privacy;

/** A phone number (+49 …, digits) or a WhatsApp user id (BSUID: "DE.…") as the staff API selects a citizen. */
function selector(parent: string, who: string) {
  const value = who.trim();
  return /^[A-Za-z]{2}\./.test(value) ? { parent, userId: value } : { parent, phoneNumber: value };
}

/**
 * Data protection for supervisors: a citizen's data as one archive (Art. 15), their erasure (Art. 17, confirmed
 * first), and the retention report (a dry run; applying it deletes what is due now).
 */
export function Privacy({ workspace, onBack }: { workspace: Workspace; onBack: () => void }) {
  const { client, session, signOut } = workspace;
  const parent = `tenants/${session.tenant}`;
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [who, setWho] = useState("");
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [checked, setChecked] = useState(false);
  const [requestId, setRequestId] = useState("");
  const [erased, setErased] = useState<ErasureResult | null>(null);
  const [report, setReport] = useState<RetentionReport | null>(null);

  const fail = useFailure(signOut, setError);

  const loadReport = useCallback(async (apply: boolean) => {
    try {
      setReport(await client.runRetention({ parent, apply }));
      setError("");
    } catch (e) {
      fail(e);
    }
  }, [client, parent, fail]);

  useEffect(() => {
    void loadReport(false);
  }, [loadReport]);

  const download = async () => {
    setBusy(true);
    setError("");
    setStatus(t.exporting);
    try {
      const parts: Uint8Array[] = [];
      let fileName = "auskunft.zip";
      for await (const chunk of client.exportCitizen({ citizen: selector(parent, who) })) {
        fileName = chunk.fileName || fileName;
        parts.push(chunk.data);
      }
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: "application/zip" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus(t.exported(fileName));
    } catch (e) {
      setStatus("");
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const erase = async () => {
    setBusy(true);
    setError("");
    // The same id on a retry: an interrupted erasure is finished, not begun twice.
    const id = requestId || crypto.randomUUID().replaceAll("-", "");
    setRequestId(id);
    try {
      setErased(await client.eraseCitizen({ citizen: selector(parent, who), requestId: id }));
      setConfirming(false);
      setChecked(false);
      setRequestId("");
      setStatus("");
      void loadReport(false);
    } catch (e) {
      if (ConnectError.from(e).code === Code.Unavailable) {
        setError(t.incomplete);
      } else {
        fail(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const applyRetention = async () => {
    if (window.confirm(t.applyConfirm)) {
      await loadReport(true);
    }
  };

  return (
    <main id="main" className="privacy" tabIndex={-1}>
      <p><button type="button" className="secondary" onClick={onBack}>{t.back}</button></p>
      <h2>{t.heading}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <section aria-labelledby="citizen-heading" className="card">
        <h3 id="citizen-heading">{t.citizenHeading}</h3>
        <p className="meta">{t.citizenHint}</p>
        <label>
          {t.who}
          <input value={who} onChange={(e) => { setWho(e.target.value); setErased(null); setConfirming(false); setRequestId(""); }}
            autoComplete="off" placeholder="+49 151 …" />
        </label>
        <p className="actions">
          <button type="button" disabled={busy || !who.trim()} onClick={() => void download()}>{t.export}</button>
          <button type="button" className="danger" disabled={busy || !who.trim()} onClick={() => setConfirming(true)}>{t.erase}</button>
        </p>
        {status && <p role="status">{status}</p>}
        {confirming && (
          <div className="confirm" role="group" aria-labelledby="erase-warning">
            <p id="erase-warning"><strong>{t.eraseWarning}</strong></p>
            <label className="check">
              <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} />
              {t.eraseCheck}
            </label>
            <p className="actions">
              <button type="button" className="danger" disabled={!checked || busy} onClick={() => void erase()}>{requestId ? t.eraseRetry : t.eraseNow}</button>
              <button type="button" className="secondary" onClick={() => { setConfirming(false); setChecked(false); }}>{t.cancel}</button>
            </p>
          </div>
        )}
        {erased && (
          <div role="status" data-testid="erasure-result">
            <p>{t.erased(erased.messages, erased.mediaFiles, erased.lists, erased.auditEntries)}</p>
            <p className="meta">{t.reference(erased.reference)} {t.contactBook}</p>
          </div>
        )}
      </section>
      <section aria-labelledby="retention-heading" className="card">
        <h3 id="retention-heading">{t.retentionHeading}</h3>
        {report && (
          <>
            <p className="meta">{t.asOf(formatWhen(report.asOf))}</p>
            {report.categories.length === 0 ? <p>{t.noneResolved}</p> : (
              <table data-testid="retention-report">
                <thead>
                  <tr><th scope="col">{t.category}</th><th scope="col">{t.period}</th><th scope="col">{t.resolved}</th><th scope="col">{t.due}</th><th scope="col">{t.next}</th></tr>
                </thead>
                <tbody>
                  {report.categories.map((c) => (
                    <tr key={c.category}>
                      <td>{c.category}</td>
                      <td>{c.periodDays === 0 ? t.forGood : t.days(c.periodDays)}</td>
                      <td>{c.resolved}</td>
                      <td>{c.due}</td>
                      <td>{c.nextDueTime ? formatWhen(c.nextDueTime) : "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p>{t.audit(report.auditEntriesDue, report.auditPeriodDays)}</p>
            {report.erasedCitizensRestored > 0 && <p>{t.restored(report.erasedCitizensRestored)}</p>}
            {!report.dryRun && <p role="status">{t.applied(report.conversationsDeleted, report.auditEntriesDeleted, report.erasedAgain)}</p>}
            <p className="actions">
              <button type="button" className="secondary" onClick={() => void loadReport(false)}>{t.refresh}</button>
              <button type="button" className="danger" onClick={() => void applyRetention()}>{t.apply}</button>
            </p>
          </>
        )}
      </section>
    </main>
  );
}
