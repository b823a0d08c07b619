// The staff sign-in's device token (docs/CRYPTO.md, "Sign-in throttling"):
// the server gives one at each sign-in, and a browser that presents it is
// not slowed down by failed guesses made anywhere else. Kept per username in
// this browser's localStorage; it is not a credential (it signs no one in),
// so losing it only means the next sign-in from here counts as a new browser.
// Staff pages only (the GP pages store nothing: tests/shared/storage-rule).

const KEY_PREFIX = 'peerline.device-token.';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The token this browser holds for `username`, if any. */
export function loadDeviceToken(username: string): string | undefined {
  try {
    const t = localStorage.getItem(KEY_PREFIX + username);
    return t && TOKEN_SHAPE.test(t) ? t : undefined;
  } catch {
    return undefined; // storage blocked: sign in as a new browser
  }
}

/** Keeps the token a sign-in returned (ignored if absent or malformed). */
export function saveDeviceToken(username: string, token: string | undefined): void {
  if (!token || !TOKEN_SHAPE.test(token)) return;
  try {
    localStorage.setItem(KEY_PREFIX + username, token);
  } catch {
    /* storage blocked or full: the next sign-in counts as a new browser */
  }
}
