// The few DOM helpers both consoles share: typed element lookup, status pills, table rows, the banner.

/**
 * The page's element with this id, checked to be of the expected kind, so a page and a script that
 * drifted apart fail at start with a message instead of later with a null.
 */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) {
    throw new Error(`The console page has no ${kind.name} #${id}: reload the page (it may be from an older build).`);
  }
  return element;
}

/** Shows a status (Running, Succeed, Unlock, Healthy, …) as a pill; style.css colours it by its name. */
export function pill(element: HTMLElement, value: string | null | undefined): void {
  element.textContent = value ?? '';
  element.className = `pill ${value ?? ''}`;
}

/** A new status pill, with a tooltip when there is more to say (why an engine is Lost). */
export function statusPill(value: string | null | undefined, title?: string): HTMLSpanElement {
  const span = document.createElement('span');
  pill(span, value);
  if (title) span.title = title;
  return span;
}

export type Cell = string | number | Node | null | undefined;

/** A table row of text cells (a Node is put in as it is). */
export function tableRow(cells: readonly Cell[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const value of cells) {
    const td = document.createElement('td');
    if (value instanceof Node) td.append(value);
    else td.textContent = String(value ?? '');
    tr.append(td);
  }
  return tr;
}

/** A wire time as the reader's local clock time; empty for none. */
export const clockTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleTimeString() : '');

/** The message line under the header: what went wrong and what to do, or hidden. */
export class Banner {
  readonly #element: HTMLElement;

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  show(message: string): void {
    this.#element.textContent = message;
    this.#element.hidden = message === '';
  }

  clear(): void {
    this.show('');
  }
}
