// The listener console's state, shared by its modules, and the hooks main.ts
// fills in (so the parts need not import each other in a circle: the shapes
// of a conversation tab and an offer are here too, not in their modules).
import * as psc1 from '../crypto/index.js';
import { Api, type Alternative } from '../shared/api';
import type { ChatView } from '../shared/chatview';
import type { Conversation, ListenerIdentityLike } from '../shared/conversation';
import type { WsClient } from '../shared/ws';

/** One conversation's tab (tabs.ts). */
export interface ConvTab {
  conv: Conversation;
  chat: ChatView;
  tab: HTMLButtonElement;
  panel: HTMLElement;
  status: HTMLElement;
  safety: HTMLElement;
  tools: HTMLButtonElement[];
  /** The share/escalate and ending rows: removed from view once it has ended. */
  toolRows: HTMLElement[];
  ended: boolean;
  pending: Set<string>;
}

/** One offer's card (offers.ts). */
export interface Offer {
  el: HTMLElement;
  timer: number;
  expiresAt: number;
}

export const s = {
  api: new Api(),
  ws: null as WsClient | null,
  username: '',
  identity: null as ListenerIdentityLike | null,
  certified: false,
  sids: new psc1.SidCache(),
  convs: new Map<string, ConvTab>(),
  offers: new Map<string, Offer>(),
  availability: 'offline',
  wrapTimer: 0,
  signposting: [] as Alternative[],
  tabCounter: 0,
};

export const hooks = {
  /** The session is no longer valid: sign out with this notice. */
  expired: (_notice: string): void => undefined,
};
