/// <reference types="vite/client" />
interface ImportMetaEnv {
  /** The organisation root public key, base64url (pinned at build time). */
  readonly VITE_PEERLINE_ORG_ROOT: string;
  /** Decimal; the lowest revocation-list number the build accepts (default 0). */
  readonly VITE_PEERLINE_MIN_REVOCATION_NUMBER?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
