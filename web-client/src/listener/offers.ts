// Offers: one card per offer with a countdown, Accept and Decline; removed
// when accepted, withdrawn or refused.
import { type FrameOf, type WithdrawnReason, topicLabel } from '../shared/protocol';
import { $, announce, h } from '../shared/dom';
import { offersWaiting } from './alerts';
import { s } from './state';


export const WITHDRAWN_TEXT: Record<WithdrawnReason, string> = {
  taken: 'The offer was taken by another listener.',
  expired: 'The offer expired and was passed on.',
  gp_left: 'The GP left the queue.',
  declined: 'You declined the offer.',
};

export function onOffer(f: FrameOf<'offer'>): void {
  const id = f.offer_id;
  const expiresAt = Date.now() + f.expires_in_ms;
  const countdown = h('span', { class: 'countdown' });
  const accept = h('button', { type: 'button', 'data-offer': id, class: 'accept' }, 'Accept');
  const decline = h('button', { type: 'button', class: 'secondary decline' }, 'Decline');
  const topic = f.topic ? topicLabel(f.topic) : 'No topic given';
  const el = h('div', { class: 'offer', 'data-offer-id': id, role: 'group', 'aria-label': 'Offer' },
    h('p', {}, h('strong', {}, f.urgent ? 'Urgent: a GP asks to talk' : 'A GP asks to talk'), ` — ${topic}.`),
    h('p', {}, 'Time left to accept: ', countdown),
    h('div', { class: 'actions' }, accept, decline));
  const tick = () => {
    const left = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
    countdown.textContent = `${left} s`;
  };
  tick();
  const timer = window.setInterval(tick, 250);
  s.offers.set(id, { el, timer, expiresAt });
  accept.addEventListener('click', () => {
    accept.disabled = true;
    decline.disabled = true;
    s.ws?.send({ type: 'accept_offer', offer_id: id });
  });
  decline.addEventListener('click', () => {
    accept.disabled = true;
    decline.disabled = true;
    s.ws?.send({ type: 'decline_offer', offer_id: id });
  });
  $('offers').append(el);
  $('no-offers').hidden = true;
  offersWaiting(s.offers.size, true);
  announce(`New offer: ${f.urgent ? 'urgent, ' : ''}${topic}. ${Math.round(f.expires_in_ms / 1000)} seconds to accept.`);
  accept.focus();
}

export function removeOffer(id: string, why?: string): void {
  const o = s.offers.get(id);
  if (!o) return;
  window.clearInterval(o.timer);
  o.el.remove();
  s.offers.delete(id);
  $('no-offers').hidden = s.offers.size > 0;
  offersWaiting(s.offers.size, false);
  if (why) announce(why);
}

