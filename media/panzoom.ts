/** Zoom (wheel, keys, buttons, double-click), pan (drag, arrow keys) and fit for the diagram, as one CSS transform. */

export interface View { scale: number; x: number; y: number }

/** Small enough for any graph the webview draws (maxNodes, summaries) to fit whole in a narrow panel. */
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 8;
/** Fit never magnifies past this: a three-node graph should not fill a wide panel with 40 px text. */
export const MAX_FIT_SCALE = 1.75;
/** Room kept around a fitted graph, in screen pixels. */
const FIT_PADDING = 8;

export class PanZoom {
  view: View = { scale: 1, x: 0, y: 0 };
  /** True while the view is the fitted one (it is fitted again when the panel changes size). */
  fitted = false;
  /** Set after a drag so the click that ends it does not count as a node click. */
  dragged = false;
  private drag: { id: number; x: number; y: number; vx: number; vy: number } | undefined;

  constructor(
    private readonly area: HTMLElement,
    private readonly viewport: HTMLElement,
    private readonly onChange: (view: View) => void,
    /** What the F key does (the owner knows what to fit). */
    private readonly onFit: () => void = () => this.fit(),
  ) {
    area.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = area.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    area.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || (e.target as Element | null)?.closest?.('#overview')) return;
      this.dragged = false;
      this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y };
    });
    area.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d || d.id !== e.pointerId) return;
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!this.dragged && Math.hypot(dx, dy) < 4) return;
      if (!this.dragged) {
        this.dragged = true;
        area.setPointerCapture(e.pointerId);
        area.classList.add('dragging');
      }
      this.set({ scale: this.view.scale, x: d.vx + dx, y: d.vy + dy });
    });
    const end = (e: PointerEvent) => {
      if (!this.drag || this.drag.id !== e.pointerId) return;
      this.drag = undefined;
      area.classList.remove('dragging');
      if (area.hasPointerCapture(e.pointerId)) area.releasePointerCapture(e.pointerId);
    };
    area.addEventListener('pointerup', end);
    area.addEventListener('pointercancel', end);
    area.addEventListener('keydown', (e) => {
      const step = 40;
      const keys: Record<string, () => void> = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        '+': () => this.zoomCenter(1.25),
        '=': () => this.zoomCenter(1.25),
        '-': () => this.zoomCenter(0.8),
        f: () => this.onFit(),
        '0': () => this.onFit(),
      };
      const act = keys[e.key];
      if (act && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        act();
      }
    });
  }

  /** The drawing's size in SVG units (0 × 0 while there is none). */
  contentSize(): { width: number; height: number } {
    const svg = this.viewport.querySelector('svg');
    return { width: svg?.width.baseVal.value ?? 0, height: svg?.height.baseVal.value ?? 0 };
  }

  areaSize(): { width: number; height: number } {
    return { width: this.area.clientWidth, height: this.area.clientHeight };
  }

  /** Sets the view; `fitted` says whether it is the fitted view (user moves clear it). */
  set(view: View, fitted = false): void {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale));
    this.view = { scale, x: view.x, y: view.y };
    this.fitted = fitted;
    this.viewport.style.transform = `translate(${this.view.x}px, ${this.view.y}px) scale(${scale})`;
    this.onChange(this.view);
  }

  panBy(dx: number, dy: number): void {
    this.set({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
  }

  zoomAt(factor: number, cx: number, cy: number): void {
    const { scale, x, y } = this.view;
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
    const ratio = next / scale;
    this.set({ scale: next, x: cx - (cx - x) * ratio, y: cy - (cy - y) * ratio });
  }

  zoomCenter(factor: number): void {
    this.zoomAt(factor, this.area.clientWidth / 2, this.area.clientHeight / 2);
  }

  /** Puts the point (SVG units) at the centre of the area at this scale. */
  centreOn(point: { x: number; y: number }, scale: number): void {
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    this.set({ scale: s, x: this.area.clientWidth / 2 - point.x * s, y: this.area.clientHeight / 2 - point.y * s });
  }

  /** The scale at which the whole drawing fits the area (never above MAX_FIT_SCALE). */
  fitScale(): number {
    const { width, height } = this.contentSize();
    const aw = this.area.clientWidth - 2 * FIT_PADDING;
    const ah = this.area.clientHeight - 2 * FIT_PADDING;
    if (!width || !height || aw <= 0 || ah <= 0) return 1;
    return Math.min(MAX_FIT_SCALE, Math.max(MIN_SCALE, Math.min(aw / width, ah / height)));
  }

  /** The whole graph in view, centred: however small that makes it (the overview helps to read it). */
  fit(): void {
    const { width, height } = this.contentSize();
    if (!width || !height) return;
    const scale = this.fitScale();
    this.set({ scale, x: (this.area.clientWidth - width * scale) / 2, y: (this.area.clientHeight - height * scale) / 2 }, true);
  }

  /** The part of the drawing in view, in SVG units. */
  visibleRect(): { x: number; y: number; width: number; height: number } {
    const { scale, x, y } = this.view;
    return { x: -x / scale, y: -y / scale, width: this.area.clientWidth / scale, height: this.area.clientHeight / scale };
  }
}
