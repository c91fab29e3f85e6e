import { useState, type FormEvent } from "react";
import { texts } from "./texts";

/** What the login page says above the sign-in: why the last session ended, or that signing out worked. */
export interface Notice {
  text: string;
  /** A refusal or an error (announced at once), or plain information. */
  problem: boolean;
}

/**
 * The way in: "Anmelden" goes to the town's OpenID provider. Only where the gateway takes development tokens
 * (Development) is there a box to paste one.
 */
export function Login({ provider, developmentTokens, notice, onSignIn, onToken }: {
  provider: boolean;
  developmentTokens: boolean;
  notice: Notice | null;
  onSignIn: () => void;
  onToken: (token: string) => void;
}) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);

  const paste = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) {
      onToken(token);
    }
  };

  return (
    <main className="login" id="main">
      <h1>{texts.appTitle}</h1>
      <section className="panel" aria-labelledby="login-heading">
        <h2 id="login-heading">{texts.login.heading}</h2>
        {notice && (
          <p id="login-notice" className={notice.problem ? "error" : "notice"} role={notice.problem ? "alert" : "status"}>
            {notice.text}
          </p>
        )}
        {provider && (
          <>
            <p>{texts.login.intro}</p>
            <button type="button" disabled={busy} onClick={() => { setBusy(true); onSignIn(); }}>{texts.login.submit}</button>
          </>
        )}
        {!provider && !developmentTokens && <p className="error">{texts.login.notConfigured}</p>}
      </section>
      {developmentTokens && (
        <form className="panel" onSubmit={paste} aria-labelledby="token-heading">
          <h2 id="token-heading">{texts.login.tokenHeading}</h2>
          <p>{texts.login.tokenIntro}</p>
          <pre><code>{texts.login.command}</code></pre>
          <label htmlFor="token">{texts.login.tokenLabel}</label>
          <textarea id="token" name="token" rows={4} value={token} autoComplete="off" spellCheck={false} required
            onChange={(e) => setToken(e.target.value)} />
          <button type="submit">{texts.login.tokenSubmit}</button>
        </form>
      )}
    </main>
  );
}
