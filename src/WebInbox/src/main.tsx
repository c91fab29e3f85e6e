import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, OfflineNotice } from "./App";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <OfflineNotice />
    <App />
  </StrictMode>,
);

// The service worker: the app shell offline, and the duty phone's notifications (see public/sw.js).
if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  // A tapped notification opens its conversation in this window (the worker asks; a page it does not control yet
  // cannot be navigated by it).
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent<{ type?: string; url?: string }>) => {
    if (event.data?.type !== "open" || !event.data.url) {
      return;
    }
    const target = new URL(event.data.url, location.origin);
    if (target.origin === location.origin) {
      location.hash = target.hash;
    }
  });
  navigator.serviceWorker.startMessages();
}
