// The GP page's state, shared by its modules (main.ts wires them to the
// WebSocket). Everything here is in memory only: the session token, the
// keys and the conversation go when the tab does.
import { Api } from '../shared/api';
import type { ChatView } from '../shared/chatview';
import type { Conversation, GpTrust } from '../shared/conversation';
import type { PublicConfig } from '../shared/api';
import type { WsClient } from '../shared/ws';

export type Phase = 'landing' | 'connecting' | 'queued' | 'chat' | 'after' | 'signposting';

export const s = {
  api: new Api(),
  ws: null as WsClient | null,
  config: null as PublicConfig | null,
  conv: null as Conversation | null,
  chat: null as ChatView | null,
  trust: null as GpTrust | null,
  phase: 'landing' as Phase,
  leaving: false,
  /** The continuity code offered at the end of the conversation, until the GP leaves the page. */
  offeredCode: null as string | null,
  lastPosition: null as number | null,
  /** Messages written while the connection was down: marked sent once it is back. */
  pendingIds: new Set<string>(),
  /** After the first `welcome` a second one is a resumed session. */
  welcomedOnce: false,
  /** Ends a resumed conversation that the server did not re-announce. */
  restoreTimer: 0,
};
