/**
 * The overview: a small picture of the whole graph in a corner of the diagram area with the part in view
 * marked. Shown whenever part of the graph is out of view (after zooming in on a big graph, which fits whole
 * at a small scale); a click or drag in it moves the view there, at a readable scale at least.
 */
import { el } from './dom';
import { svgFileText } from './export';
import type { PanZoom } from './panzoom';
import { FONT_SIZE, type ThemeName } from './theme';


/** The scale a click in the overview zooms to (labels at a comfortable reading size). */
export const READING_SCALE = 14 / FONT_SIZE;
const MAX_W = 200;
const MAX_H = 150;

export class Overview {
  readonly box: HTMLElement;
  private readonly img: HTMLImageElement;
  private readonly frame: HTMLElement;
  private content = { width: 0, height: 0 };
  private drawnScale = 1;
  private dragging: number | undefined;

  constructor(private readonly area: HTMLElement, private readonly panzoom: PanZoom) {
    this.box = el('div', 'overview');
    this.box.id = 'overview';
    this.box.hidden = true;
    this.box.setAttribute('role', 'img');
    this.box.title = 'Overview: the whole graph. Click or drag to look there.';
    this.img = el('img');
    this.img.alt = '';
    this.img.draggable = false;
    this.frame = el('div', 'overview-view');
    this.box.append(this.img, this.frame);
    area.append(this.box);
    this.box.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.stopPropagation();
      e.preventDefault();
      this.dragging = e.pointerId;
      this.box.setPointerCapture(e.pointerId);
      this.lookAt(e, true);
    });
    this.box.addEventListener('pointermove', (e) => {
      if (this.dragging === e.pointerId) this.lookAt(e, false);
    });
    const end = (e: PointerEvent) => {
      if (this.dragging !== e.pointerId) return;
      this.dragging = undefined;
      if (this.box.hasPointerCapture(e.pointerId)) this.box.releasePointerCapture(e.pointerId);
    };
    this.box.addEventListener('pointerup', end);
    this.box.addEventListener('pointercancel', end);
    this.box.addEventListener('click', (e) => e.stopPropagation());
    this.box.addEventListener('dblclick', (e) => e.stopPropagation());
  }

  /** A new drawing (or theme): its picture. */
  setDrawing(svg: SVGSVGElement | undefined, theme: ThemeName): void {
    if (!svg) {
      this.content = { width: 0, height: 0 };
      this.img.removeAttribute('src');
      this.sync();
      return;
    }
    this.content = { width: svg.width.baseVal.value, height: svg.height.baseVal.value };
    this.img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgFileText(svg, theme))}`;
    this.sync();
  }

  /** Shows or hides the overview for the current view and moves its frame. */
  sync(): void {
    const { width, height } = this.content;
    const visible = this.panzoom.visibleRect();
    const whole = width > 0 && visible.x <= 1 && visible.y <= 1 && visible.x + visible.width >= width - 1 && visible.y + visible.height >= height - 1;
    // Shown only when part of the graph is out of view: over a graph shown whole it would hide some of it.
    const roomy = this.area.clientWidth >= 160 && this.area.clientHeight >= 140;
    this.box.hidden = !width || !roomy || whole;
    if (this.box.hidden) return;
    const maxW = Math.min(MAX_W, this.area.clientWidth * 0.34);
    const maxH = Math.min(MAX_H, this.area.clientHeight * 0.3);
    this.drawnScale = Math.min(maxW / width, maxH / height);
    const w = width * this.drawnScale;
    const h = height * this.drawnScale;
    this.box.style.width = `${w}px`;
    this.box.style.height = `${h}px`;
    // The frame: the visible part, clipped to the picture.
    const x0 = Math.max(0, visible.x);
    const y0 = Math.max(0, visible.y);
    const x1 = Math.min(width, visible.x + visible.width);
    const y1 = Math.min(height, visible.y + visible.height);
    const f = this.frame.style;
    f.left = `${x0 * this.drawnScale}px`;
    f.top = `${y0 * this.drawnScale}px`;
    f.width = `${Math.max(2, (x1 - x0) * this.drawnScale)}px`;
    f.height = `${Math.max(2, (y1 - y0) * this.drawnScale)}px`;
  }

  /** Centres the view on the point under the pointer; the first touch also zooms to a readable scale. */
  private lookAt(e: PointerEvent, zoom: boolean): void {
    const r = this.box.getBoundingClientRect();
    const point = { x: (e.clientX - r.left) / this.drawnScale, y: (e.clientY - r.top) / this.drawnScale };
    const scale = zoom ? Math.max(this.panzoom.view.scale, READING_SCALE) : this.panzoom.view.scale;
    this.panzoom.centreOn(point, scale);
  }
}
