/** Zoom (wheel, keys, buttons), pan (drag, arrow keys) and fit for the diagram, as one CSS transform. */

export interface View { scale: number; x: number; y: number }

const MIN_SCALE = 0.05;
const MAX_SCALE = 8;

export class PanZoom {
  view: View = { scale: 1, x: 0, y: 0 };
  /** Set after a drag so the click that ends it does not count as a node click. */
  dragged = false;
  private drag: { id: number; x: number; y: number; vx: number; vy: number } | undefined;

  constructor(
    private readonly area: HTMLElement,
    private readonly viewport: HTMLElement,
    private readonly onChange: (view: View) => void,
    /** What the F key does (the owner knows what to focus on). */
    private readonly onFit: () => void = () => this.fit(),
  ) {
    area.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = area.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    area.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
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

  set(view: View): void {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale));
    this.view = { scale, x: view.x, y: view.y };
    this.viewport.style.transform = `translate(${this.view.x}px, ${this.view.y}px) scale(${scale})`;
    this.onChange(this.view);
  }

  panBy(dx: number, dy: number): void {
    this.set({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
  }

  zoomAt(factor: number, cx: number, cy: number): void {
    const { scale, x, y } = this.view;
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
    const k = next / scale;
    this.set({ scale: next, x: cx - (cx - x) * k, y: cy - (cy - y) * k });
  }

  zoomCenter(factor: number): void {
    this.zoomAt(factor, this.area.clientWidth / 2, this.area.clientHeight / 2);
  }

  /**
   * Whole graph in view, centred, never magnified past 1.5×. When that would make it too small to read
   * (long chains), show it at a readable scale instead with `focus` (the output, in SVG units) in view.
   */
  fit(focus?: { x: number; y: number }): void {
    const content = this.viewport.firstElementChild?.firstElementChild as SVGSVGElement | null;
    if (!content) return;
    const w = content.width.baseVal.value || 1;
    const h = content.height.baseVal.value || 1;
    const aw = this.area.clientWidth;
    const ah = this.area.clientHeight;
    const pad = 16;
    const scale = Math.min(1.5, Math.max(MIN_SCALE, Math.min((aw - 2 * pad) / w, (ah - 2 * pad) / h)));
    if (scale >= READABLE_SCALE || !focus) {
      this.set({ scale, x: (aw - w * scale) / 2, y: (ah - h * scale) / 2 });
      return;
    }
    const s = READABLE_SCALE;
    // Keep the focus point in view, preferring to show as much of the graph as fits around it.
    const x = Math.min(pad, Math.max(aw - pad - w * s, aw * 0.75 - focus.x * s));
    const y = Math.min(pad, Math.max(ah - pad - h * s, ah / 2 - focus.y * s));
    this.set({ scale: s, x, y });
  }
}

/** Below this the labels cannot be read; fit() stops shrinking there and shows the output instead. */
const READABLE_SCALE = 0.45;
