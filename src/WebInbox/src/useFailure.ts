import { useCallback } from "react";
import { describeError, isUnauthenticated } from "./api";
import { texts } from "./texts";

/** What a view does with a failed call: an expired sign-in signs out, anything else is shown as a German message. */
export function useFailure(signOut: (notice?: string) => void, show: (message: string) => void) {
  return useCallback((e: unknown) => {
    if (isUnauthenticated(e)) {
      signOut(texts.errors.unauthenticated);
    } else {
      show(describeError(e));
    }
  }, [signOut, show]);
}
