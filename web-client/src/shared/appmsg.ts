// The application messages carried inside PSC-1's encrypted payload
// (docs/WEB-CLIENT.md, "Inner message format"). The server never sees these:
// each is UTF-8 JSON, encrypted by the ratchet into a padded 1/4/16/64 KiB
// frame. Unknown or malformed messages are ignored (a newer client may add
// kinds), never shown raw.

export const MAX_TEXT_CHARS = 4000;
export const MAX_SIGNPOSTS = 16;

export interface Signpost {
  name: string;
  contact: string;
  hours: string;
}

export type AppMessage =
  | { v: 1; t: 'start' }
  | { v: 1; t: 'msg'; id: string; text: string }
  | { v: 1; t: 'ack'; id: string }
  | { v: 1; t: 'typing'; on: boolean }
  | { v: 1; t: 'signpost'; id: string; items: Signpost[]; note?: string }
  | { v: 1; t: 'end' };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeApp(m: AppMessage): Uint8Array {
  return encoder.encode(JSON.stringify(m));
}

const isId = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{16}$/.test(x);
const isShort = (x: unknown, max = 200): x is string => typeof x === 'string' && x.length <= max;

/** The message, or null if it is not one this client understands. */
export function decodeApp(bytes: Uint8Array): AppMessage | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object' || o.v !== 1) return null;
  switch (o.t) {
    case 'start':
      return { v: 1, t: 'start' };
    case 'msg':
      if (!isId(o.id) || typeof o.text !== 'string' || o.text.length > MAX_TEXT_CHARS) return null;
      return { v: 1, t: 'msg', id: o.id, text: o.text };
    case 'ack':
      return isId(o.id) ? { v: 1, t: 'ack', id: o.id } : null;
    case 'typing':
      return typeof o.on === 'boolean' ? { v: 1, t: 'typing', on: o.on } : null;
    case 'signpost': {
      if (!isId(o.id) || !Array.isArray(o.items) || o.items.length > MAX_SIGNPOSTS) return null;
      const items: Signpost[] = [];
      for (const it of o.items as Record<string, unknown>[]) {
        if (!it || !isShort(it.name) || !isShort(it.contact) || !isShort(it.hours)) return null;
        items.push({ name: it.name, contact: it.contact, hours: it.hours });
      }
      if (o.note !== undefined && !isShort(o.note, 500)) return null;
      return { v: 1, t: 'signpost', id: o.id, items, ...(o.note ? { note: o.note as string } : {}) };
    }
    case 'end':
      return { v: 1, t: 'end' };
    default:
      return null;
  }
}

/** 16 lowercase hex characters from the platform CSPRNG. */
export function newMessageId(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
