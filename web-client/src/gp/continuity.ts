// The continuity code: the only thing the GP's page ever stores, and only
// after the GP asks for it ("Keep a continuity code in this browser").
// localStorage key `peerline.continuity`, value {"code","saved_ms"}.
// Nothing else in src/gp/ may touch browser storage.

const KEY = 'peerline.continuity';
const CODE = /^[A-Za-z0-9_-]{1,64}$/;

/** The kept code, or null (none kept, unreadable, or storage disabled). */
export function storedCode(): string | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as { code?: unknown };
    return typeof v.code === 'string' && CODE.test(v.code) ? v.code : null;
  } catch {
    return null;
  }
}

/** Keeps `code`; false if this browser does not allow it. */
export function keepCode(code: string): boolean {
  if (!CODE.test(code)) return false;
  try {
    localStorage.setItem(KEY, JSON.stringify({ code, saved_ms: Date.now() }));
    return true;
  } catch {
    return false;
  }
}

export function forgetCode(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* storage disabled: nothing was kept */
  }
}
