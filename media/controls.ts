/** The toolbar's state: which buttons work now (graph or none, tensor or scalar view) and the view switch. */
import { byId, el } from './dom';
import type { GraphView } from './drawing';

const STEP_BUTTONS = ['btn-step-mode', 'btn-step-prev', 'btn-step', 'btn-play', 'btn-step-reset'];
/** Buttons that act on the drawing: disabled while there is none. */
const GRAPH_BUTTONS = ['btn-fit', 'btn-zoom-out', 'btn-zoom-in', 'btn-copy', 'btn-svg', 'btn-png', ...STEP_BUTTONS];

export class Controls {
  private readonly viewSwitch: HTMLElement;
  private readonly stepTitles = new Map(STEP_BUTTONS.map((id) => [id, byId(id).title]));

  /** Builds the view switch after `title` (the page skeleton, src/host/webview-html.ts, stays as it is). */
  constructor(title: HTMLElement, onView: (view: GraphView) => void) {
    const group = el('span', 'group view-switch');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Graph view');
    group.hidden = true;
    const tensor = el('button', '', 'Tensor view');
    tensor.id = 'btn-view-tensor';
    tensor.type = 'button';
    tensor.title = 'One node per matrix operation, with its shape; click a node for its value and gradient matrices (V switches)';
    const scalar = el('button', '', 'Scalar view');
    scalar.id = 'btn-view-scalar';
    scalar.type = 'button';
    scalar.title = 'Every scalar node, as micrograd draws it; stepping and gradient magnitudes work here (V switches)';
    group.append(tensor, scalar);
    title.after(group);
    tensor.addEventListener('click', () => onView('tensor'));
    scalar.addEventListener('click', () => onView('scalar'));
    this.viewSwitch = group;
  }

  /** Graph buttons only with a graph; the view switch only for matrix programs; stepping only in the scalar view. */
  update(state: { hasGraph: boolean; hasTensor: boolean; view: GraphView; symbolic?: boolean }): void {
    this.viewSwitch.hidden = !state.hasTensor;
    byId('btn-view-tensor').setAttribute('aria-pressed', String(state.view === 'tensor'));
    byId('btn-view-scalar').setAttribute('aria-pressed', String(state.view === 'scalar'));
    for (const id of GRAPH_BUTTONS) byId<HTMLButtonElement>(id).disabled = !state.hasGraph;
    for (const id of STEP_BUTTONS) {
      const b = byId<HTMLButtonElement>(id);
      if (state.view === 'tensor' || state.symbolic) b.disabled = true;
      b.title = state.view === 'tensor' ? 'Stepping works in the scalar view (switch with “Scalar view”)'
        : state.symbolic ? 'Stepping needs numbers: give the symbols values (the input box, or a line such as x = 2.0 above)' : this.stepTitles.get(id) ?? '';
    }
    document.body.dataset.hasGraph = String(state.hasGraph);
  }
}
