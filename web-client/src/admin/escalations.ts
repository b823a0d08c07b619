// Escalations: a listener asked for the duty supervisor. Shown at the top of
// every view until acknowledged, announced assertively to screen readers,
// with a short tone (Web Audio, no media file) and a flashing title.

import { formatDateTime } from '../shared/datetime';
import { $, h } from '../shared/dom';
import type { Escalation } from './live';

export class Escalations {
  private list = $<HTMLUListElement>('escalation-list');
  private section = $('escalations');
  private announcer = $('escalation-announcer');
  private audio: AudioContext | null = null;
  private baseTitle = document.title;
  private titleTimer: number | undefined;
  private open = 0;

  /** Call from a user gesture (sign-in), so browsers allow the tone later. */
  unlockAudio(): void {
    try {
      const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctx) return;
      this.audio ??= new Ctx();
      void this.audio.resume();
    } catch {
      this.audio = null;
    }
  }

  add(e: Escalation): void {
    const time = formatDateTime(e.received_ms);
    const ack = h('button', { type: 'button', class: 'button secondary' }, 'Acknowledge');
    const item = h(
      'li',
      { class: 'escalation', 'data-escalation': e.conversation_id },
      h(
        'p',
        {},
        h('strong', {}, e.listener),
        ` asked for the duty supervisor at ${time}. `,
        h('span', { class: 'muted' }, 'Conversation reference: '),
        h('code', {}, e.conversation_id),
      ),
      h('p', { class: 'hint' }, 'Contact the listener through your usual supervision channel. Peerline does not show the conversation.'),
      ack,
    );
    ack.addEventListener('click', () => {
      item.remove();
      this.open -= 1;
      if (this.open <= 0) this.clear();
      else (this.list.querySelector('button') as HTMLButtonElement | null)?.focus();
    });
    this.list.prepend(item);
    this.open += 1;
    this.section.hidden = false;
    this.announcer.textContent = `Escalation: ${e.listener} asked for the duty supervisor.`;
    this.beep();
    this.flashTitle();
  }

  private clear(): void {
    this.open = 0;
    this.section.hidden = true;
    window.clearInterval(this.titleTimer);
    this.titleTimer = undefined;
    document.title = this.baseTitle;
    $('main').focus();
  }

  reset(): void {
    this.list.replaceChildren();
    this.clear();
  }

  private flashTitle(): void {
    if (this.titleTimer !== undefined) return;
    let on = false;
    this.titleTimer = window.setInterval(() => {
      on = !on;
      document.title = on ? '(!) Escalation — Peerline' : this.baseTitle;
    }, 1000);
  }

  private beep(): void {
    const ctx = this.audio;
    if (!ctx) return;
    try {
      const t = ctx.currentTime;
      for (const [start, freq] of [[0, 880], [0.25, 660], [0.5, 880]] as const) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t + start);
        gain.gain.exponentialRampToValueAtTime(0.2, t + start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + start + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t + start);
        osc.stop(t + start + 0.22);
      }
    } catch {
      /* sound is a courtesy; the banner and announcement carry the alert */
    }
  }
}
