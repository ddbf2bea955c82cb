/** Tiny DOM helpers shared by the webview modules. Text always goes in as textContent, never as markup. */

export const SVG_NS = 'http://www.w3.org/2000/svg';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
