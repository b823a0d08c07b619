// The listener console's state, shared by its modules, and the hooks main.ts
// fills in (so the parts need not import each other in a circle).
import * as psc1 from '../crypto/index.js';
import { Api, type Alternative } from '../shared/api';
import type { ListenerIdentityLike } from '../shared/conversation';
import type { WsClient } from '../shared/ws';
import type { ConvTab } from './tabs';
import type { Offer } from './offers';

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
