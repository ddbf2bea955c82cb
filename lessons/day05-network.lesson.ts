// Day 5's network as a TypeScript lesson file: each top-level arithmetic line has a
// "Show Backprop Graph" lens, and hovering a variable shows the derivative of its line.
// Backprop Graph reads this file as text; it never runs it.

const x = 1;
const w1 = 1.2;
const w2 = -0.8;
const target = 0.5;

const h = Math.tanh(w1 * x);
const y = w2 * h;
const L = 0.5 * (y - target) ** 2;

// Expected (the lesson's printout): dL/dw1 = 0.2847, dL/dw2 = -0.9728, dL/dx = 0.3417
export { L };
