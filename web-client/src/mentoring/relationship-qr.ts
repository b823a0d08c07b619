// The relationship key as a QR code (an SVG string made in the browser by the
// `qrcode` package), for the GP to save or print and scan on another device.
// The code holds the passphrase in capitals (relationship-key.ts toQrText),
// so any QR reader shows words a person can also type; restoring goes through
// fromQrText, the same checks as a typed passphrase. Reading a QR code from a
// camera is not built.
import QRCode from 'qrcode';
import { toQrText } from './relationship-key';

/**
 * An SVG image of the QR code for `key`: error correction level M (15 %),
 * a quiet zone of four modules, black on white. The SVG has no script, no
 * external reference and no text, only two paths.
 */
export async function relationshipQrSvg(key: Uint8Array): Promise<string> {
  return QRCode.toString(toQrText(key), {
    type: 'svg', errorCorrectionLevel: 'M', margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  });
}
