// The relationship key on screen: made when the GP has chosen, shown as 24
// numbered words and (on request) a QR code, with a "write this down" step
// that checks one word before the request can go; and restoring a key from
// the words on another device, with the mistyped word named. The key lives
// in memory only (state.ts).
import {
  RelationshipKeyError, WORD_COUNT, fromPassphrase, generateRelationshipKey, relationshipToken, toPassphrase,
} from '../mentoring/relationship-key';
import { relationshipQrSvg } from '../mentoring/relationship-qr';
import { $, $input, h, setError, showView } from '../shared/dom';
import { forgetKey, m } from './state';

let checkIndex = 0;

/** Makes a fresh key (unless one is already shown for this request) and shows the words. */
export function openKeyStep(): void {
  if (!m.key) {
    m.key = generateRelationshipKey();
    m.token = relationshipToken(m.key);
  }
  const words = toPassphrase(m.key).split(' ');
  $('key-words').replaceChildren(...words.map((w) => h('li', {}, w)));
  // One word to type back, somewhere past the first few so the GP reads on.
  checkIndex = 4 + (globalThis.crypto.getRandomValues(new Uint8Array(1))[0]! % (WORD_COUNT - 4));
  $('key-check-n').textContent = String(checkIndex + 1);
  $input('key-check').value = '';
  $input('key-written').checked = false;
  setError('key-error', null);
  void showQr();
  showView('view-key');
}

async function showQr(): Promise<void> {
  if (!m.key) return;
  const svg = await relationshipQrSvg(m.key);
  // An <img> of the SVG: the image cannot run script or reach anything, and
  // the page's CSP allows data: images only.
  $<HTMLImageElement>('key-qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Whether the GP confirmed writing the words down and typed the word asked for; says what is missing if not. */
export function keyConfirmed(): boolean {
  if (!m.key) return false;
  if (!$input('key-written').checked) {
    setError('key-error', 'Please write down the 24 words first, then tick the box.');
    $input('key-written').focus();
    return false;
  }
  const want = toPassphrase(m.key).split(' ')[checkIndex];
  if ($input('key-check').value.trim().toLowerCase() !== want) {
    setError('key-error', `That is not word number ${checkIndex + 1}. Please check what you wrote down.`);
    $input('key-check').focus();
    return false;
  }
  setError('key-error', null);
  return true;
}

/** The restore form: the key from the words, or the reason it cannot be read (with the word to fix). */
export function restoreFromWords(text: string): boolean {
  try {
    const key = fromPassphrase(text);
    forgetKey();
    m.key = key;
    m.token = relationshipToken(key);
    setError('restore-error', null);
    return true;
  } catch (e) {
    setError('restore-error', restoreProblem(e));
    $('restore-words').focus();
    return false;
  }
}

/** Plain words for what is wrong with a typed passphrase. */
export function restoreProblem(e: unknown): string {
  if (!(e instanceof RelationshipKeyError)) return 'These words could not be read.';
  switch (e.code) {
    case 'wrong_word_count':
      return `Your key has ${WORD_COUNT} words; ${e.count ?? 0} ${e.count === 1 ? 'was' : 'were'} found.`;
    case 'unknown_word':
      return `Word ${e.position}, “${e.word}”, is not one of the key words.`
        + (e.suggestions.length ? ` Did you mean: ${e.suggestions.join(', ')}?` : '');
    case 'checksum':
      return 'These words do not fit together. Check each word, and their order, against what you wrote down.';
    case 'too_long':
      return 'That is too long to be a relationship key.';
    default:
      return 'These words could not be read.';
  }
}
