import { Code, ConnectError } from "@connectrpc/connect";
import { useCallback, useEffect, useState } from "react";
import type { DutyRota, NotificationSettings } from "./gen/goldbach/staff/v1/duty_pb";
import { formatWhen } from "./format";
import { currentSubscription, deviceIdOf, PermissionRefused, pushUnavailable, registrationOf, subscribe } from "./push";
import { seesStaffSection } from "./session";
import { texts } from "./texts";
import { useFailure } from "./useFailure";
import type { Workspace } from "./workspace";

const t = texts.duty;

interface ShiftDraft {
  key: number;
  from: string;
  to: string;
  first: string;
  second: string;
}

/**
 * "Bereitschaft": this device's notifications (on, off, paused), the staff member's duty number for the WhatsApp
 * notice, their devices, and the on-duty rota (supervisors edit it).
 */
export function Duty({ workspace, onBack }: { workspace: Workspace; onBack: () => void }) {
  const { client, session, signOut } = workspace;
  const parent = `tenants/${session.tenant}`;
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [thisDevice, setThisDevice] = useState<string | null>(null);
  const [rota, setRota] = useState<DutyRota | null>(null);
  const [drafts, setDrafts] = useState<ShiftDraft[]>([]);
  const [dutyNumber, setDutyNumber] = useState("");
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [rotaStatus, setRotaStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const fail = useFailure(signOut, setError);
  const editable = seesStaffSection(session);
  const unavailable = pushUnavailable();

  const showRota = useCallback((next: DutyRota) => {
    setRota(next);
    setDrafts(next.shifts.map((s, i) => ({ key: i, from: s.fromDate, to: s.toDate, first: s.staffIds[0] ?? "", second: s.staffIds[1] ?? "" })));
  }, []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const loaded = await client.getNotificationSettings({});
      const subscription = await currentSubscription().catch(() => null);
      const id = subscription ? await deviceIdOf(subscription.endpoint) : null;
      const loadedRota = await client.getDutyRota({ parent });
      if (!cancelled) {
        setSettings(loaded);
        setDutyNumber(loaded.dutyNumber);
        setThisDevice(id && loaded.devices.some((d) => d.deviceId === id) ? id : null);
        showRota(loadedRota);
      }
    })().catch((e) => !cancelled && fail(e));
    return () => {
      cancelled = true;
    };
  }, [client, parent, fail, showRota]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError("");
    setStatus("");
    try {
      await work();
    } catch (e) {
      if (e instanceof PermissionRefused) {
        setError(t.permissionRefused);
      } else {
        fail(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const enable = () => act(async () => {
    const subscription = await subscribe(settings!.vapidPublicKey);
    const registration = await registrationOf(subscription);
    setSettings(await client.registerPushDevice(registration));
    setThisDevice(registration.deviceId);
    setStatus(t.enabled);
  });

  const disable = () => act(async () => {
    const subscription = await currentSubscription();
    if (thisDevice) {
      setSettings(await client.removePushDevice({ deviceId: thisDevice }));
    }
    await subscription?.unsubscribe();
    setThisDevice(null);
    setStatus(t.disabled);
  });

  const savePreferences = (paused: boolean) => act(async () => {
    setSettings(await client.updateNotificationPreferences({ paused, dutyNumber }));
    setStatus(paused ? t.pausedNow : t.saved);
  });

  const removeDevice = (deviceId: string) => act(async () => {
    setSettings(await client.removePushDevice({ deviceId }));
    if (deviceId === thisDevice) {
      await (await currentSubscription())?.unsubscribe();
      setThisDevice(null);
    }
  });

  const saveRota = async () => {
    setBusy(true);
    setError("");
    setRotaStatus("");
    try {
      const shifts = drafts.map((d) => ({ fromDate: d.from, toDate: d.to, staffIds: [d.first, d.second].filter((s) => s) }));
      showRota(await client.updateDutyRota({ parent, shifts, version: rota!.version }));
      setRotaStatus(t.rotaSaved);
    } catch (e) {
      if (ConnectError.from(e).code === Code.Aborted) {
        setError(t.rotaConflict);
        showRota(await client.getDutyRota({ parent }));
      } else {
        fail(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const nameOf = (id: string) => rota?.staff.find((s) => s.staffId === id)?.displayName || id;
  const update = (key: number, change: Partial<ShiftDraft>) => setDrafts((all) => all.map((d) => (d.key === key ? { ...d, ...change } : d)));

  return (
    <main id="main" className="duty" tabIndex={-1}>
      <p><button type="button" className="secondary" onClick={onBack}>{texts.privacy.back}</button></p>
      <h2>{t.heading}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {status && <p role="status">{status}</p>}
      <section aria-labelledby="device-heading" className="card">
        <h3 id="device-heading">{t.deviceHeading}</h3>
        {!settings ? <p role="status">{texts.loading}</p> : unavailable ? (
          <p>{unavailable === "ios-not-installed" ? t.iosInstall : t.unsupported}</p>
        ) : !settings.vapidPublicKey ? (
          <p>{t.notConfigured}</p>
        ) : thisDevice ? (
          <>
            <p>{t.deviceOn}</p>
            <button type="button" className="secondary" disabled={busy} onClick={() => void disable()}>{t.disable}</button>
          </>
        ) : (
          <>
            <p>{t.deviceOff}</p>
            <button type="button" disabled={busy} onClick={() => void enable()}>{t.enable}</button>
          </>
        )}
        {settings && (
          <>
            <label className="check">
              <input type="checkbox" checked={settings.paused} disabled={busy} onChange={(e) => void savePreferences(e.target.checked)} />
              {t.pause}
            </label>
            <label>
              {t.dutyNumber}
              <span className="row">
                <input value={dutyNumber} onChange={(e) => setDutyNumber(e.target.value)} inputMode="tel" autoComplete="tel" placeholder="+49 …" />
                <button type="button" disabled={busy} onClick={() => void savePreferences(settings.paused)}>{t.save}</button>
              </span>
            </label>
            <p className="meta">{t.dutyNumberHint}</p>
            <h4>{t.devices}</h4>
            {settings.devices.length === 0 ? <p className="meta">{t.noDevices}</p> : (
              <ul className="devices">
                {settings.devices.map((d) => (
                  <li key={d.deviceId}>
                    <span>
                      {d.label || d.pushService}{d.deviceId === thisDevice ? ` (${t.thisDevice})` : ""}
                      <span className="meta"> · {t.lastDelivery(d.lastDeliveryTime ? formatWhen(d.lastDeliveryTime) : t.never)}</span>
                    </span>
                    <button type="button" className="secondary" disabled={busy} onClick={() => void removeDevice(d.deviceId)}
                      aria-label={t.removeDevice(d.label || d.pushService)}>{t.remove}</button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="rota-heading" className="card">
        <h3 id="rota-heading">{t.rotaHeading}</h3>
        <p className="meta">{t.rotaHint}</p>
        {rota && (
          <p data-testid="on-duty">
            {rota.onDuty.length > 0 ? t.onDutyToday(rota.onDuty.map(nameOf).join(", ")) : t.nobodyToday}
            {rota.officeOpen ? ` ${t.officeOpen}` : ""}
          </p>
        )}
        {rota && (
          <table className="rota">
            <caption className="sr-only">{t.rotaHeading}</caption>
            <thead>
              <tr><th scope="col">{t.from}</th><th scope="col">{t.to}</th><th scope="col">{t.first}</th><th scope="col">{t.second}</th>{editable && <th scope="col"><span className="sr-only">{t.remove}</span></th>}</tr>
            </thead>
            <tbody>
              {drafts.map((d, i) => editable ? (
                <tr key={d.key}>
                  <td><input type="date" aria-label={t.fromOf(i + 1)} value={d.from} onChange={(e) => update(d.key, { from: e.target.value })} /></td>
                  <td><input type="date" aria-label={t.toOf(i + 1)} value={d.to} onChange={(e) => update(d.key, { to: e.target.value })} /></td>
                  <td><StaffSelect label={t.firstOf(i + 1)} value={d.first} rota={rota} onChange={(first) => update(d.key, { first })} /></td>
                  <td><StaffSelect label={t.secondOf(i + 1)} value={d.second} rota={rota} optional onChange={(second) => update(d.key, { second })} /></td>
                  <td><button type="button" className="secondary" onClick={() => setDrafts((all) => all.filter((x) => x.key !== d.key))} aria-label={t.removeShift(i + 1)}>{t.remove}</button></td>
                </tr>
              ) : (
                <tr key={d.key}><td>{d.from}</td><td>{d.to}</td><td>{nameOf(d.first)}</td><td>{d.second ? nameOf(d.second) : "–"}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        {rota && drafts.length === 0 && <p className="meta">{t.noShifts}</p>}
        {editable && rota && (
          <p className="actions">
            <button type="button" className="secondary" onClick={() => setDrafts((all) => [...all, { key: Date.now(), from: "", to: "", first: "", second: "" }])}>{t.addShift}</button>
            <button type="button" disabled={busy} onClick={() => void saveRota()}>{t.saveRota}</button>
          </p>
        )}
        {rotaStatus && <p role="status">{rotaStatus}</p>}
      </section>
    </main>
  );
}

function StaffSelect({ label, value, rota, optional, onChange }: { label: string; value: string; rota: DutyRota; optional?: boolean; onChange: (id: string) => void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{optional ? t.nobody : t.choose}</option>
      {rota.staff.map((s) => <option key={s.staffId} value={s.staffId}>{s.displayName || s.staffId}</option>)}
    </select>
  );
}
