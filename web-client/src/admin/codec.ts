// Reading certificates and revocation lists for display only (docs/CRYPTO.md
// §3.3, §3.4). The server checks signatures; the GP's browser checks them
// again. Nothing here trusts what it decodes.
import { b64urlDecodeOrNull as fromB64url } from '../shared/b64';

function u64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
}

export interface CertificateInfo {
  role: 'listener' | 'supervisor';
  serial: string;
  notBeforeMs: number;
  notAfterMs: number;
  handle: string;
}

export function readCertificate(text: string): CertificateInfo | null {
  const b = fromB64url(text);
  if (!b || b.length < 157 || b[0] !== 1 || b[1] !== 0x10) return null;
  const role = b[2] === 1 ? 'listener' : b[2] === 2 ? 'supervisor' : null;
  const h = b[91];
  if (!role || h < 1 || h > 64 || b.length !== 92 + h + 64) return null;
  const handle = new TextDecoder().decode(b.subarray(92, 92 + h));
  if (!/^[A-Za-z0-9._-]+$/.test(handle)) return null;
  return {
    role,
    serial: u64(b, 3).toString(),
    notBeforeMs: Number(u64(b, 11)) * 1000,
    notAfterMs: Number(u64(b, 19)) * 1000,
    handle,
  };
}

export interface RevocationListInfo {
  number: string;
  issuedMs: number;
  nextUpdateMs: number;
  directoryNumber: string;
  serials: string[];
}

export function readRevocationList(text: string): RevocationListInfo | null {
  const b = fromB64url(text);
  if (!b || b.length < 102 || b[0] !== 1 || b[1] !== 0x11) return null;
  const n = u32(b, 34);
  if (n > 10_000 || b.length !== 38 + 8 * n + 64) return null;
  const serials: string[] = [];
  for (let i = 0; i < n; i++) serials.push(u64(b, 38 + 8 * i).toString());
  return {
    number: u64(b, 2).toString(),
    issuedMs: Number(u64(b, 10)) * 1000,
    nextUpdateMs: Number(u64(b, 18)) * 1000,
    directoryNumber: u64(b, 26).toString(),
    serials,
  };
}

export function readEnrolmentHandle(text: string): string | null {
  const b = fromB64url(text);
  if (!b || b.length < 67 + 1 + 64 || b[0] !== 1 || b[1] !== 0x12) return null;
  const h = b[66];
  if (h < 1 || h > 64 || b.length !== 67 + h + 64) return null;
  return new TextDecoder().decode(b.subarray(67, 67 + h));
}
