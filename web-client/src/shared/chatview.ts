// The message list, typing indicator and composer of one conversation, used
// by the GP page and by each tab of the listener console. It renders; the
// page wires it to a Conversation (conversation.ts).
import type { Signpost } from './appmsg';
import { MAX_TEXT_CHARS } from './appmsg';
import { contactNode } from './contact';
import { h } from './dom';

export type Delivery = 'sending' | 'sent' | 'delivered';

const DELIVERY_TEXT: Record<Delivery, string> = {
  sending: 'Not sent yet',
  sent: 'Sent',
  delivered: 'Delivered',
};

export interface ChatViewOptions {
  /** Unique prefix for element ids inside this view. */
  idPrefix: string;
  peerName: string;
  onSend(text: string): void;
  onTyping(on: boolean): void;
}

export class ChatView {
  readonly root: HTMLElement;
  readonly log: HTMLOListElement;
  readonly typing: HTMLParagraphElement;
  readonly input: HTMLTextAreaElement;
  readonly sendButton: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private typingOn = false;
  private typingTimer: number | null = null;
  private peerTypingTimer: number | null = null;

  constructor(private readonly opts: ChatViewOptions) {
    const p = opts.idPrefix;
    this.log = h('ol', { class: 'messages', id: `${p}-messages`, role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages', tabindex: '0' });
    this.typing = h('p', { class: 'typing', id: `${p}-typing`, 'aria-live': 'polite' });
    this.input = h('textarea', { id: `${p}-input`, rows: '2', maxlength: String(MAX_TEXT_CHARS), 'aria-describedby': `${p}-input-hint`, disabled: true });
    this.sendButton = h('button', { type: 'submit', id: `${p}-send`, disabled: true }, 'Send');
    this.form = h('form', { class: 'composer', id: `${p}-composer` },
      h('div', { class: 'grow' },
        h('label', { for: `${p}-input` }, 'Your message'),
        this.input,
        h('span', { class: 'hint', id: `${p}-input-hint` }, 'Enter sends, Shift+Enter starts a new line.')),
      this.sendButton);
    this.root = h('div', { class: 'chat' }, this.log, this.typing, this.form);

    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.onInput());
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.input.disabled) return;
    this.input.value = '';
    this.stopTyping();
    this.opts.onSend(text);
    this.input.focus();
  }

  private onInput(): void {
    if (!this.typingOn && this.input.value.trim()) {
      this.typingOn = true;
      this.opts.onTyping(true);
    }
    if (this.typingTimer) window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.stopTyping(), 3000);
  }

  private stopTyping(): void {
    if (this.typingTimer) window.clearTimeout(this.typingTimer);
    this.typingTimer = null;
    if (this.typingOn) {
      this.typingOn = false;
      this.opts.onTyping(false);
    }
  }

  setEnabled(on: boolean): void {
    this.input.disabled = !on;
    this.sendButton.disabled = !on;
    if (!on) this.stopTyping();
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Adds one of our own messages; returns its element. */
  addMine(id: string, text: string, state: Delivery): HTMLLIElement {
    const li = h('li', { class: 'msg me', 'data-id': id },
      h('span', { class: 'who' }, 'You'),
      h('p', { class: 'text' }, text),
      h('span', { class: 'state', 'data-state': state }, DELIVERY_TEXT[state]));
    this.log.append(li);
    this.scroll();
    return li;
  }

  addTheirs(id: string, text: string): void {
    this.setPeerTyping(false);
    this.log.append(h('li', { class: 'msg them', 'data-id': id },
      h('span', { class: 'who' }, this.opts.peerName),
      h('p', { class: 'text' }, text)));
    this.scroll();
  }

  addSignpost(id: string, items: Signpost[], mine: boolean, note?: string): HTMLLIElement {
    const li = h('li', { class: `msg signpost ${mine ? 'me' : 'them'}`, 'data-id': id },
      h('span', { class: 'who' }, mine ? 'You shared support services' : `${this.opts.peerName} shared support services`),
      note ? h('p', { class: 'text' }, note) : null,
      h('ul', {}, ...items.map((i) => h('li', {}, h('strong', {}, i.name), ': ', contactNode(i.contact), ` (${i.hours})`))),
      mine ? h('span', { class: 'state', 'data-state': 'sent' }, DELIVERY_TEXT.sent) : null);
    this.log.append(li);
    this.scroll();
    return li;
  }

  setDelivery(id: string, state: Delivery): void {
    const s = this.log.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"] .state`);
    if (!s) return;
    s.dataset.state = state;
    s.textContent = DELIVERY_TEXT[state];
  }

  addSystem(text: string): void {
    this.log.append(h('li', { class: 'msg system' }, text));
    this.scroll();
  }

  setPeerTyping(on: boolean): void {
    if (this.peerTypingTimer) window.clearTimeout(this.peerTypingTimer);
    this.peerTypingTimer = null;
    this.typing.textContent = on ? `${this.opts.peerName} is typing…` : '';
    // A lost "stopped typing" must not leave the indicator on for ever.
    if (on) this.peerTypingTimer = window.setTimeout(() => this.setPeerTyping(false), 8000);
  }
}
