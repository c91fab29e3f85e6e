import { useState, type FormEvent } from "react";
import { parseToken, type Session } from "./session";
import { texts } from "./texts";

export function Login({ onSignIn, notice }: { onSignIn: (session: Session) => void; notice: string }) {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const session = parseToken(token);
    if (session === "malformed") {
      setProblem(texts.login.malformed);
    } else if (session === "expired") {
      setProblem(texts.login.expired);
    } else {
      onSignIn(session);
    }
  };

  const message = problem || notice;
  return (
    <main className="login" id="main">
      <h1>{texts.appTitle}</h1>
      <form onSubmit={submit} noValidate aria-labelledby="login-heading">
        <h2 id="login-heading">{texts.login.heading}</h2>
        <p>{texts.login.intro}</p>
        <pre><code>{texts.login.command}</code></pre>
        <label htmlFor="token">{texts.login.tokenLabel}</label>
        <textarea id="token" name="token" rows={4} value={token} autoComplete="off" spellCheck={false} required
          aria-invalid={problem ? true : undefined} aria-describedby={message ? "login-problem" : undefined}
          onChange={(e) => setToken(e.target.value)} />
        {message && <p id="login-problem" className="error" role="alert">{message}</p>}
        <button type="submit">{texts.login.submit}</button>
      </form>
    </main>
  );
}
