// The signed release this page came from (docs/CRYPTO.md §9): the short
// fingerprint of /.well-known/peerline-release.json, shown in the footer so
// that a careful user can compare it with the one the organisation publishes
// and `peerline verify-web` reports. It identifies a release; it proves
// nothing on its own, since a page served by a dishonest server could show any
// text here.

export const RELEASE_MANIFEST = '/.well-known/peerline-release.json';

/** "xxxx xxxx xxxx xxxx": the first 8 bytes of SHA-256 of the manifest file, hex. */
export async function releaseFingerprint(manifest: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', manifest)).slice(0, 8);
  const hex = Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  return hex.match(/.{4}/g)!.join(' ');
}

/** Fills `el` with this deployment's release fingerprint, or says there is none. */
export async function showReleaseFingerprint(el: HTMLElement): Promise<void> {
  try {
    const res = await fetch(RELEASE_MANIFEST, { cache: 'no-cache', credentials: 'omit' });
    el.textContent = res.ok ? await releaseFingerprint(await res.arrayBuffer()) : 'none (not a signed release)';
  } catch {
    el.textContent = 'unknown (the release manifest could not be read)';
  }
}
