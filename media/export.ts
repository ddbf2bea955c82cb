/** Save SVG / Save PNG: the complete drawing (every value and gradient) in the current theme's colours. */
import { SVG_NS } from './dom';
import { EXPORT_BACKGROUND, type ThemeName } from './theme';

/** The SVG as a standalone file: its own namespace, its theme background, no page-only attributes. */
export function svgFileText(svg: SVGSVGElement, theme: ThemeName): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', SVG_NS);
  clone.classList.remove('stepping');
  for (const g of clone.querySelectorAll('[tabindex]')) g.removeAttribute('tabindex');
  // Mermaid repeats some classes; one of each, so the file does not depend on which classes were toggled.
  for (const e of clone.querySelectorAll('[class]')) e.setAttribute('class', [...new Set(e.getAttribute('class')!.split(/\s+/).filter(Boolean))].join(' '));
  // An opaque background, so the file reads the same in any viewer (the labels' colours assume it).
  const vb = svg.viewBox.baseVal;
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('class', 'bp-export-background');
  bg.setAttribute('x', String(vb.x));
  bg.setAttribute('y', String(vb.y));
  bg.setAttribute('width', String(vb.width));
  bg.setAttribute('height', String(vb.height));
  bg.setAttribute('fill', EXPORT_BACKGROUND[theme]);
  const firstDrawn = [...clone.children].find((c) => c.tagName !== 'style' && c.tagName !== 'defs');
  clone.insertBefore(bg, firstDrawn ?? null);
  return new XMLSerializer().serializeToString(clone);
}

/** A PNG data URL of an SVG file's text, `width` × `height` SVG units at up to 2× (under canvas limits). */
export async function pngDataUrl(svgText: string, width: number, height: number, theme: ThemeName): Promise<string | undefined> {
  const scale = Math.min(2, 16000 / Math.max(width, height, 1));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.fillStyle = EXPORT_BACKGROUND[theme];
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}
