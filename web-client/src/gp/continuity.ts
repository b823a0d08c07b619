// The continuity code: the only thing the GP's page ever stores, and only
// after the GP asks for it ("Keep a continuity code in this browser").
// localStorage key `peerline.continuity`, value {"code","saved_ms",
// "forget_on_exit"} (the last: quick exit removes it too).
// Nothing else in src/gp/ may touch browser storage.

const KEY = 'peerline.continuity';
const CODE = /^[A-Za-z0-9_-]{1,64}$/;

export interface KeptCode {
  code: string;
  savedMs: number | null;
  forgetOnExit: boolean;
}

/** What is kept, or null (none kept, unreadable, or storage disabled). */
export function storedRecord(): KeptCode | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw || raw.length > 1024) return null;
    const v = JSON.parse(raw) as { code?: unknown; saved_ms?: unknown; forget_on_exit?: unknown };
    if (typeof v.code !== 'string' || !CODE.test(v.code)) return null;
    const savedMs = typeof v.saved_ms === 'number' && Number.isFinite(v.saved_ms) ? v.saved_ms : null;
    return { code: v.code, savedMs, forgetOnExit: v.forget_on_exit === true };
  } catch {
    return null;
  }
}

/** The kept code, or null. */
export function storedCode(): string | null {
  return storedRecord()?.code ?? null;
}

/** Whether quick exit should remove the kept code. */
export function forgetOnExit(): boolean {
  return storedRecord()?.forgetOnExit ?? false;
}

function write(code: string, savedMs: number, forget: boolean): boolean {
  try {
    localStorage.setItem(KEY, JSON.stringify({ code, saved_ms: savedMs, forget_on_exit: forget }));
    return true;
  } catch {
    return false;
  }
}

/** Keeps `code`; false if this browser does not allow it. */
export function keepCode(code: string, forgetOnQuickExit: boolean): boolean {
  if (!CODE.test(code)) return false;
  return write(code, Date.now(), forgetOnQuickExit);
}

/** Changes whether quick exit removes the kept code (nothing if none is kept). */
export function setForgetOnExit(on: boolean): void {
  const rec = storedRecord();
  if (rec) write(rec.code, rec.savedMs ?? Date.now(), on);
}

export function forgetCode(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* storage disabled: nothing was kept */
  }
}
