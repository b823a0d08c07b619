// The 24/7 alternatives GPs are shown (always on the landing page, and when
// nobody is on shift or the wait is too long).

import { Api, ApiError } from '../shared/api';
import { h, clear, StatusLine, uniqueId } from '../shared/dom';
import { describeError } from './errors';

interface Alternative {
  name: string;
  contact: string;
  hours: string;
}

const MAX_ITEMS = 16;
const MAX_CHARS = 200;
// The list reaches GPs inside one control frame (docs/PROTOCOL.md §7):
// keep well under the default 8192-byte limit.
const MAX_FRAME_BYTES = 7500;

export class SignpostingView {
  private status = new StatusLine();
  private rows: HTMLOListElement;
  private items: Alternative[] = [];
  private addBtn: HTMLButtonElement;

  constructor(root: HTMLElement, private readonly api: Api) {
    this.rows = h('ol', { class: 'signposts', id: 'signposts' });
    this.addBtn = h('button', { type: 'button', class: 'button secondary' }, 'Add a service');
    this.addBtn.addEventListener('click', () => {
      this.collect();
      if (this.items.length >= MAX_ITEMS) return;
      this.items.push({ name: '', contact: '', hours: '24/7' });
      this.render();
      (this.rows.lastElementChild?.querySelector('input') as HTMLInputElement | null)?.focus();
    });
    const save = h('button', { type: 'submit', class: 'button primary' }, 'Save signposting');
    const form = h('form', { novalidate: true, id: 'signposting-form' }, this.rows, h('div', { class: 'actions' }, this.addBtn, save), this.status.el);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      this.collect();
      const items = this.items.filter((a) => a.name.trim() || a.contact.trim() || a.hours.trim());
      for (const [li, r] of this.inputs) {
        const fields = [r.name, r.contact, r.hours];
        const filled = fields.filter((f) => f.value.trim());
        if (filled.length === 0 || filled.length === 3) continue;
        const n = [...this.rows.children].indexOf(li) + 1;
        this.status.error(`Service ${n}: fill in the name, the contact and the hours (or remove it).`);
        for (const f of fields) if (!f.value.trim()) f.setAttribute('aria-invalid', 'true');
        fields.find((f) => !f.value.trim())?.focus();
        return;
      }
      const alternatives = items.map((a) => ({ name: a.name.trim(), contact: a.contact.trim(), hours: a.hours.trim() }));
      const frame = new TextEncoder().encode(JSON.stringify({ v: 1, type: 'signposting', reason: 'max_wait', next_shift_start_ms: 0, alternatives })).length;
      if (frame > MAX_FRAME_BYTES) {
        this.status.error('The list is too long to reach GPs in one message. Shorten or remove some entries.');
        return;
      }
      save.disabled = true;
      try {
        await this.api.put('/api/admin/signposting', { alternatives });
        this.status.ok(`Saved ${alternatives.length} services. GPs see the new list from now on.`);
        this.items = alternatives;
        this.render();
      } catch (err) {
        this.status.error(`Could not save the signposting list. ${describeError(err)}`);
      } finally {
        save.disabled = false;
      }
    });
    root.append(
      h('h1', { id: 'signposting-title', tabindex: '-1' }, 'Signposting'),
      h(
        'p',
        {},
        'Free, confidential services available at any hour. GPs always see this list on the first page, and again whenever nobody is on shift or the wait is too long. Up to 16 services.',
      ),
      form,
    );
  }

  async load(): Promise<void> {
    try {
      const res = await this.api.get<{ alternatives: Alternative[] }>('/api/admin/signposting');
      this.items = res.alternatives.map((a) => ({ ...a }));
      this.render();
      this.status.clear();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found')
        this.status.error('This server does not offer editing the signposting list yet.');
      else this.status.error(`Could not load the signposting list. ${describeError(err)}`);
    }
  }

  private inputs = new Map<HTMLElement, { name: HTMLInputElement; contact: HTMLInputElement; hours: HTMLInputElement }>();

  private collect(): void {
    this.items = [...this.rows.children].flatMap((li) => {
      const r = this.inputs.get(li as HTMLElement);
      return r ? [{ name: r.name.value, contact: r.contact.value, hours: r.hours.value }] : [];
    });
  }

  private render(): void {
    clear(this.rows);
    this.inputs.clear();
    if (this.items.length === 0) this.rows.append(h('li', { class: 'empty' }, 'No services listed. GPs would see no alternatives: add at least one.'));
    this.items.forEach((a, i) => {
      const mk = (label: string, value: string) => {
        const id = uniqueId('sp');
        const input = h('input', { id, value, maxlength: String(MAX_CHARS), autocomplete: 'off' });
        input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
        return { input, wrap: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
      };
      const name = mk('Name', a.name);
      const contact = mk('Contact (phone, text or web)', a.contact);
      const hours = mk('Hours', a.hours);
      const remove = h('button', { type: 'button', class: 'button secondary small', 'aria-label': `Remove service ${i + 1}${a.name ? `, ${a.name}` : ''}` }, 'Remove');
      remove.addEventListener('click', () => {
        this.collect();
        this.items.splice(i, 1);
        this.render();
        this.addBtn.focus();
      });
      const li = h('li', { class: 'signpost' }, h('div', { class: 'row' }, name.wrap, contact.wrap, hours.wrap), remove);
      this.inputs.set(li, { name: name.input, contact: contact.input, hours: hours.input });
      this.rows.append(li);
    });
    this.addBtn.disabled = this.items.length >= MAX_ITEMS;
  }
}
