import { useEffect, useState } from "react";
import { isUnauthenticated, type StaffClient } from "./api";
import type { InboxEvent } from "./gen/goldbach/staff/v1/conversations_pb";
import { texts } from "./texts";

export interface InboxWatch {
  /** The latest event (a new object each time, so effects run once per event). */
  event: InboxEvent | null;
  connected: boolean;
}

/**
 * Follows WatchInbox for as long as the page is open: reconnects with the last position it saw (the gateway then
 * sends what was missed, or RESET), backing off up to 15 s while the gateway is unreachable.
 */
export function useInboxWatch(client: StaffClient, parent: string, signOut: (reason?: string) => void): InboxWatch {
  const [state, setState] = useState<InboxWatch>({ event: null, connected: false });

  useEffect(() => {
    const abort = new AbortController();
    let position = "";
    let delay = 500;
    (async () => {
      while (!abort.signal.aborted) {
        try {
          setState((s) => ({ ...s, connected: true }));
          for await (const event of client.watchInbox({ parent, position }, { signal: abort.signal })) {
            position = event.position;
            delay = 500;
            setState({ event, connected: true });
          }
        } catch (error) {
          if (abort.signal.aborted) {
            return;
          }
          if (isUnauthenticated(error)) {
            signOut(texts.errors.unauthenticated);
            return;
          }
        }
        setState((s) => ({ ...s, connected: false }));
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    })();
    return () => abort.abort();
  }, [client, parent, signOut]);

  return state;
}
