/// <reference types="vite/client" />
interface ImportMetaEnv {
  /** The organisation root public key, base64url (pinned at build time). */
  readonly VITE_PEERLINE_ORG_ROOT: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
