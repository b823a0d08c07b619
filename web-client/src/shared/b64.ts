// base64url without padding (the encoding of certificates, revocation lists
// and enrolment requests in the API and in `peerline org`).

export function b64urlEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function b64urlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Text pasted by a person (certificates, lists): whitespace and line breaks removed. */
export function normaliseB64url(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Pasted base64url decoded, or null when it is not base64url. */
export function b64urlDecodeOrNull(text: string): Uint8Array | null {
  try {
    return b64urlDecode(normaliseB64url(text));
  } catch {
    return null;
  }
}
