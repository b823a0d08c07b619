// "This device's key": the identity in IndexedDB (devicekeys.ts), the
// enrolment request with the key's fingerprint to read out to the
// administrator, and the certificate's state as the server reports it,
// checked against this device's key, the pinned organisation root and the
// organisation's directory (an alarm if the directory names another key for
// this listener: docs/CRYPTO.md §3.5).
import * as psc1 from '../crypto/index.js';
import { ApiError, type CertificateState, type TrustStateText, describeApiError } from '../shared/api';
import { b64urlDecode, b64urlEncode } from '../shared/b64';
import type { ListenerIdentityLike } from '../shared/conversation';
import { $, announce, formatTime } from '../shared/dom';
import { MIN_REVOCATION_NUMBER, pinnedRoot, rootFingerprint, trustStateBytes } from '../shared/trust';
import { updateAvailabilityButtons } from './availability';
import { createIdentity, loadIdentity, saveCertificate } from './devicekeys';
import { hooks, s } from './state';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function refreshDevice(): Promise<void> {
  $('org-fingerprint').textContent = rootFingerprint();
  let cert: CertificateState;
  try {
    cert = await s.api.certificate();
  } catch (err) {
    $('device-state').textContent = describeApiError(err);
    if (err instanceof ApiError && err.code === 'invalid_token') hooks.expired('Your session has expired. Please sign in again.');
    return;
  }
  try {
    s.identity = await loadIdentity(s.username);
  } catch {
    s.identity = null;
  }
  await renderDevice(cert);
}

async function renderDevice(cert: CertificateState): Promise<void> {
  const warn = $('device-warning');
  warn.hidden = true;
  $('key-fingerprint-box').hidden = true;
  const state = await fetchTrustState();
  const alarmed = checkDirectory(state);
  $('device-facts').hidden = true;
  $('enrol').hidden = true;
  $('refresh-cert').hidden = true;
  s.certified = false;
  const id = s.identity;
  const enrolledHere = (b64: string | undefined): boolean => {
    if (!id || !b64) return false;
    try {
      return equalBytes(psc1.decodeEnrolmentRequest(b64urlDecode(b64)).identityKey, id.identityPublic);
    } catch {
      return false;
    }
  };

  if (cert.state === 'certified' && cert.certificate) {
    let c: ReturnType<typeof psc1.decodeCertificate> | null = null;
    try {
      c = psc1.decodeCertificate(b64urlDecode(cert.certificate));
    } catch {
      c = null;
    }
    if (!c || !id || !equalBytes(c.identityKey, id.identityPublic)) {
      $('device-state').textContent = 'Your account has a certified key, but it is not on this device.';
      warn.textContent = 'To take conversations on this device, enrol this device’s own key. The administrator will need to certify it.';
      warn.hidden = false;
      $('enrol').textContent = 'Enrol this device instead';
      $('enrol').hidden = false;
      return;
    }
    $('cert-serial').textContent = String(c.serial);
    $('cert-until').textContent = formatTime(Number(c.notAfter) * 1000);
    $('device-facts').hidden = false;
    const bytes = b64urlDecode(cert.certificate);
    showKeyFingerprint(id);
    // The same check a GP's browser makes before talking to this listener.
    const refusal = gpCheck(bytes, state);
    if (refusal) {
      $('device-state').textContent = 'This device’s key has a certificate, but GPs’ browsers would refuse it.';
      warn.textContent = `${refusal} Ask your administrator for a new certificate.`;
      warn.hidden = false;
      updateAvailabilityButtons();
      return;
    }
    if (alarmed) {
      $('device-state').textContent = 'Do not take conversations until your administrator has checked your key (see the warning above).';
      updateAvailabilityButtons();
      return;
    }
    id.certificate = bytes;
    void saveCertificate(s.username, bytes);
    s.certified = true;
    $('device-state').textContent = 'This device’s key is certified by the organisation. You can take conversations.';
  } else if (cert.state === 'pending' && enrolledHere(cert.enrolment_request)) {
    $('device-state').textContent = 'Enrolled. Waiting for an administrator to certify this device’s key. Read them its fingerprint, below, yourself.';
    showKeyFingerprint(id!);
    $('refresh-cert').hidden = false;
  } else if (cert.state === 'pending') {
    $('device-state').textContent = 'A key from another device is waiting to be certified.';
    $('enrol').textContent = 'Enrol this device instead';
    $('enrol').hidden = false;
  } else {
    $('device-state').textContent = 'This device has no certified key yet. Create one to take conversations.';
    $('enrol').textContent = 'Create and enrol this device’s key';
    $('enrol').hidden = false;
  }
  updateAvailabilityButtons();
}

const LISTENER_REFUSALS: Record<string, string> = {
  bad_signature: 'It is not signed by the organisation key this console trusts.',
  cert_expired: 'It has expired.',
  cert_not_yet_valid: 'It is not valid yet (or this device’s clock is wrong).',
  cert_revoked: 'It has been withdrawn (revoked) by the organisation.',
  cert_wrong_role: 'It is not a listener certificate.',
  crl_stale: 'The organisation’s list of withdrawn certificates is out of date.',
  crl_rollback: 'The server sent an older list of withdrawn certificates than this release accepts.',
  crl_validity_too_long: 'The list of withdrawn certificates is not one the organisation could have made.',
  delegation_invalid: 'The list of withdrawn certificates is not signed by a key the organisation currently trusts.',
  directory_stale: 'The server sent an old directory of listeners.',
  not_in_directory: 'It is not the certificate the organisation’s directory lists for you.',
  no_revocation_list: 'The organisation has published no list of withdrawn certificates yet.',
};

/** The organisation's trust state, null if none is published, undefined if it cannot be fetched now. */
async function fetchTrustState(): Promise<TrustStateText | null | undefined> {
  try {
    return await s.api.revocationList();
  } catch {
    return undefined; // cannot tell now; the GP's browser checks anyway
  }
}

/** Why a GP would refuse this certificate, or null if it would accept it. */
function gpCheck(certificate: Uint8Array, state: TrustStateText | null | undefined): string | null {
  if (state === undefined) return null;
  if (!state || !state.revocation_list) return LISTENER_REFUSALS.no_revocation_list;
  try {
    psc1.verifyListenerCertificate(certificate, {
      root: pinnedRoot(), ...trustStateBytes(state), now: Math.floor(Date.now() / 1000), minCrlNumber: MIN_REVOCATION_NUMBER,
    });
    return null;
  } catch (e) {
    const code = e instanceof psc1.E2eError ? (e.code as string) : 'bad_field';
    return LISTENER_REFUSALS[code] ?? `It does not pass the organisation’s checks (${code}).`;
  }
}

/**
 * The directory's entry for this listener must be this device's key. If it
 * names another key, someone had a certificate issued in this listener's
 * name for a key this device did not make (or the listener enrolled another
 * device since): an alarm they cannot miss, and no conversations from here.
 * Returns true if the alarm is raised.
 */
function checkDirectory(state: TrustStateText | null | undefined): boolean {
  const alarm = $('directory-alarm');
  alarm.hidden = true;
  const id = s.identity;
  if (!state || !id) return false;
  let entry: { identityKey: Uint8Array; serial: bigint } | undefined;
  try {
    const verified = psc1.verifyTrustState({
      root: pinnedRoot(), ...trustStateBytes(state), now: Math.floor(Date.now() / 1000), minCrlNumber: MIN_REVOCATION_NUMBER,
    });
    entry = psc1.findEntry(verified.directory, s.username);
  } catch {
    return false; // a trust state that does not verify: gpCheck says why
  }
  if (!entry || equalBytes(entry.identityKey, id.identityPublic)) return false;
  $('directory-alarm-text').textContent =
    `The organisation’s signed directory says your current key has fingerprint ${psc1.org.keyFingerprint(entry.identityKey)}, ` +
    `but this device’s key is ${psc1.org.keyFingerprint(id.identityPublic)}. Unless you enrolled another device since, ` +
    'someone has had a certificate issued in your name for a key that is not yours, and could read conversations meant for you. ' +
    'Do not take conversations. Phone your administrator now and read them this device’s fingerprint.';
  alarm.hidden = false;
  s.certified = false;
  return true;
}

/** Shows this device's key fingerprint in groups of digits, to read aloud. */
function showKeyFingerprint(id: ListenerIdentityLike): void {
  $('key-fingerprint').textContent = psc1.org.keyFingerprint(id.identityPublic) as string;
  $('key-fingerprint-box').hidden = false;
}

$('enrol').addEventListener('click', () => void enrol());
$('refresh-cert').addEventListener('click', () => void refreshDevice());

async function enrol(): Promise<void> {
  ($('enrol') as HTMLButtonElement).disabled = true;
  try {
    const id = await createIdentity(s.username);
    const request = (await psc1.makeDeviceEnrolmentRequest(id, s.username)) as Uint8Array;
    const cert = await s.api.enrol(b64urlEncode(request));
    s.identity = id;
    await renderDevice(cert);
    if (s.certified) announce('This device’s key is certified.');
    else announce('Enrolled. Waiting for an administrator to certify it.');
  } catch (err) {
    $('device-warning').textContent = `Enrolment failed: ${describeApiError(err)}`;
    $('device-warning').hidden = false;
  } finally {
    ($('enrol') as HTMLButtonElement).disabled = false;
  }
}

