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
}
