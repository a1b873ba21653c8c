// The lesson page: each section binds its controls to one JSON endpoint and draws what comes back.
// No arithmetic on the data happens here beyond formatting: every value is the library's, and every control's range
// and default comes from GET /api/limits.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const fmt = (v) => (typeof v === "number" ? Plot.fmt(v) : String(v));
// A value sent as its log₁₀: 0 where the answer says the norm is exactly 0 (its log₁₀ −∞ is sent as null), NaN for another null.
const pow10 = (log10, zero) => (zero ? "0" : typeof log10 === "number" ? Plot.fmt(Math.pow(10, log10)) : "NaN");
const range = (n, from = 0) => Array.from({ length: n }, (_, i) => i + from);
const complexText = (z) => (Math.abs(z[1]) < 1e-12 ? fmt(z[0]) : `${fmt(z[0])} ${z[1] < 0 ? "−" : "+"} ${fmt(Math.abs(z[1]))}i`);
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const superscript = (n) => String(n).split("").map((c) => "⁰¹²³⁴⁵⁶⁷⁸⁹"["0123456789".indexOf(c)] || c).join("");
// "∂c_T" and "x^{k}" as sub- and superscripts, after escaping (the same notation as the plots' legends).
const rich = (s) => escape(s).replace(/([_^])(?:\{([^}]*)\}|(\S))/g, (_, kind, group, one) => (kind === "_" ? `<sub>${group ?? one}</sub>` : `<sup>${group ?? one}</sup>`));
const facts = (pairs) => "<dl>" + pairs.map(([k, v]) => `<div><dt>${rich(k)}</dt><dd>${escape(v)}</dd></div>`).join("") + "</dl>";

let LIMITS = null;

class ApiError extends Error {
  constructor(message, field) { super(message); this.field = field; }
}

const SERVER_DOWN = "the server is not answering: is rnnlab serve still running? Reload the page when it is.";

async function getJson(url, params, init) {
  let r;
  try {
    r = await fetch(url + (params ? "?" + new URLSearchParams(params) : ""), init);
  } catch {
    throw new ApiError(SERVER_DOWN);
  }
  let body = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (!r.ok) throw new ApiError((body && body.error) || `the server answered ${r.status}`, body && body.field);
  return body;
}

// ---- controls: built from the server's description, read, validated beside each field ----------------------

const controlOf = (form, name) => LIMITS.sections[form.dataset.section] && LIMITS.sections[form.dataset.section][name];

// Gives every input its range, step and default from /api/limits, and ties each message to its input.
function setupForm(form) {
  $$("input[name], select[name]", form).forEach((input) => {
    const c = controlOf(form, input.name);
    if (!c) throw new Error(`no control ${form.dataset.section}.${input.name} in /api/limits`);
    if (input.tagName === "SELECT") {
      const offered = $$("option", input).map((o) => o.value);
      $$("option", input).forEach((o) => { if (!c.options.includes(o.value)) o.remove(); });
      if (c.options.some((o) => !offered.includes(o))) throw new Error(`${form.dataset.section}.${input.name} lacks options`);
    } else if (input.type !== "hidden") {
      input.min = String(c.min); input.max = String(c.max);
      input.step = c.whole ? "1" : c.step !== null && c.step !== undefined ? String(c.step) : "any";
    }
    input.dataset.default = String(c.default);
    input.value = String(c.default);
    const msg = $(`.msg[data-for="${input.name}"]`, form);
    if (msg) {
      msg.id = `${form.dataset.section}-${input.name}-msg`;
      msg.setAttribute("aria-live", "polite");
      input.setAttribute("aria-describedby", msg.id);
    }
  });
  const caps = $("[data-caps]", form);
  if (caps) {
    const text = $$("input[name]:not([type=hidden])", form).map((i) => {
      const c = controlOf(form, i.name), label = $(`label[for="${i.id}"]`, form);
      return `${label ? label.textContent.trim() : i.name} ${fmt(c.min)} to ${fmt(c.max)}`;
    });
    caps.textContent = text.length ? `Ranges: ${text.join("; ")}.` : "";
  }
}

function formParams(form) {
  const p = {};
  $$("input[name], select[name]", form).forEach((i) => { p[i.name] = i.value; });
  return p;
}

function showOutputs(form) {
  $$("output[data-show]", form).forEach((o) => { const i = form.elements[o.dataset.show]; if (i) o.textContent = i.value; });
}

function clearMessages(form) {
  $$(".msg", form).forEach((m) => (m.textContent = ""));
  $$("[aria-invalid]", form).forEach((i) => { i.removeAttribute("aria-invalid"); i.classList.remove("invalid"); });
}

function fieldMessage(form, field, message) {
  const m = $(`.msg[data-for="${field}"]`, form);
  const input = form.elements[field];
  if (input && input.classList) { input.classList.add("invalid"); input.setAttribute("aria-invalid", "true"); }
  if (m) { m.textContent = message; return true; }
  return false;
}

// The page's check of the server's ranges (the server enforces them again and names the field if not).
function validate(form) {
  clearMessages(form);
  let ok = true;
  $$("input[name]", form).forEach((i) => {
    if (i.type === "hidden") return;
    const c = controlOf(form, i.name);
    const v = i.value.trim() === "" ? NaN : Number(i.value);
    const whole = c.whole ? "a whole number" : "a number";
    const bad = !Number.isFinite(v) ? (i.value.trim() === "" ? `enter ${whole} from ${fmt(c.min)} to ${fmt(c.max)}` : `must be ${whole}`)
      : c.whole && !Number.isInteger(v) ? "must be a whole number"
      : v < c.min || v > c.max ? `must be between ${fmt(c.min)} and ${fmt(c.max)}` : null;
    if (bad) { ok = false; fieldMessage(form, i.name, bad); }
  });
  return ok;
}

// ---- the address: every control that differs from its default, as section.name=value -------------------------

const urlKey = (form, name) => `${form.dataset.section}.${name}`;

function applyUrlState() {
  const q = new URLSearchParams(location.search);
  $$("form[data-section]").forEach((form) => $$("input[name], select[name]", form).forEach((i) => {
    const v = q.get(urlKey(form, i.name));
    if (v !== null) i.value = v;
  }));
}

function stateUrl(hash) {
  const q = new URLSearchParams();
  $$("form[data-section]").forEach((form) => $$("input[name], select[name]", form).forEach((i) => {
    if (i.value !== i.dataset.default) q.set(urlKey(form, i.name), i.value);
  }));
  const s = q.toString();
  return location.origin + location.pathname + (s ? "?" + s : "") + (hash !== undefined ? hash : location.hash);
}

function saveUrlState() { history.replaceState(null, "", stateUrl()); }

function resetForm(form) {
  $$("input[name], select[name]", form).forEach((i) => (i.value = i.dataset.default));
  clearMessages(form);
  showOutputs(form);
  saveUrlState();
}

// "Copy link" and "Reset" for a section: the link is shown (and copied where the browser allows it).
function addTools(section, forms, onReset) {
  const bar = document.createElement("div");
  bar.className = "tools";
  const copy = document.createElement("button");
  copy.type = "button"; copy.dataset.action = "copy-link"; copy.textContent = "Copy link to this section";
  const link = document.createElement("input");
  link.type = "text"; link.readOnly = true; link.className = "link"; link.hidden = true;
  link.setAttribute("aria-label", `link to section ${section.id} with its settings`);
  copy.addEventListener("click", async () => {
    link.value = stateUrl("#" + section.id);
    link.hidden = false;
    link.select();
    try { await navigator.clipboard.writeText(link.value); copy.textContent = "Link copied"; }
    catch { copy.textContent = "Copy the link below"; }
  });
  bar.appendChild(copy);
  if (!$('[data-action="reset"]', section)) {
    const reset = document.createElement("button");
    reset.type = "button"; reset.dataset.action = "reset"; reset.textContent = "Reset";
    bar.appendChild(reset);
  }
  bar.appendChild(link);
  forms[forms.length - 1].after(bar);
  $$('[data-action="reset"]', section).forEach((b) => b.addEventListener("click", () => { forms.forEach(resetForm); onReset(); }));
}

// ---- analysis sections: throttled while dragging, one request at a time, stale plots dimmed --------------------

function bindSection(name, url, render, opts = {}) {
  const form = $(`form[data-section="${name}"]`);
  const section = form.closest("section");
  const status = document.createElement("p");
  status.className = "section-status";
  status.setAttribute("role", "status");
  form.after(status);
  let seq = 0, last = 0, timer = null;
  const run = async () => {
    showOutputs(form);
    if (!validate(form)) { section.classList.add("stale"); status.textContent = "The plots show the last valid setting; correct the marked field."; return; }
    const params = formParams(form);
    const mine = ++seq;
    form.dataset.state = "loading";
    section.setAttribute("aria-busy", "true");
    status.textContent = "computing…";
    try {
      const data = await getJson(url, params);
      if (mine !== seq) return;
      render(data, params);
      form.dataset.state = "ready";
      section.classList.remove("stale");
      status.textContent = "";
    } catch (e) {
      if (mine !== seq) return;
      form.dataset.state = "error";
      section.classList.add("stale");
      const beside = e instanceof ApiError && e.field && fieldMessage(form, e.field, e.message);
      status.textContent = beside ? "The plots show the last valid setting; correct the marked field." : e.message;
    } finally {
      if (mine === seq) section.removeAttribute("aria-busy");
    }
  };
  // Throttle, not debounce: while a slider is dragged the plot is redrawn every `every` ms, and once more at the end.
  const every = opts.every ?? 120;
  const schedule = () => {
    clearTimeout(timer);
    const wait = Math.max(0, last + every - Date.now());
    timer = setTimeout(() => { last = Date.now(); run(); }, wait);
  };
  form.addEventListener("input", () => { showOutputs(form); saveUrlState(); schedule(); });
  form.addEventListener("change", () => { saveUrlState(); schedule(); });
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  addTools(section, [form], run);
  return { form, run };
}

// ---- 1. refresher ---------------------------------------------------------------------------------------

function renderRefresher(d, params) {
  const ks = range(d.k + 1);
  const series = d.directions.map((dir, i) => ({ name: `direction of λ_${i + 1} = ${complexText(dir.eigenvalue)}`, x: ks, y: dir.log10Size, zeroAt: dir.log10SizeZeroAt, log10: true }));
  series.push({ name: "‖A^k‖_2", x: ks, y: d.log10Norm, zeroAt: d.log10NormZeroAt, log10: true, reference: true });
  Plot.draw($("#plot-refresher"), { xLabel: "power k", yLabel: "size (log scale)", yScale: "log", xInteger: true, series, params });
  const at = d.factPower;
  const note = d.defective
    ? `<p class="caps" id="refresher-note">This matrix is defective: its eigenvalue ${complexText(d.eigenvalues[0])} is repeated with a single eigenvector, so it has one eigen-direction, not two. The two direction curves coincide; off that direction A<sup>k</sup> grows like k·|λ|<sup>k</sup>, which ‖A<sup>k</sup>‖ shows.</p>` : "";
  $("#refresher-facts").innerHTML = note + facts([
    ...d.eigenvalues.map((z, i) => [`eigenvalue λ${"₁₂"[i]}`, complexText(z)]),
    ["spectral radius", fmt(d.spectralRadius)],
    ...d.directions.map((dir, i) => [`size of direction ${i + 1} after k = ${at}`, pow10(dir.log10Size[at], (dir.log10SizeZeroAt || []).includes(at))]),
  ]);
}

// ---- 2. decay -------------------------------------------------------------------------------------------

function renderDecay(d, params) {
  Plot.draw($("#plot-decay"), {
    xLabel: "sequence length T", yLabel: "ρ^{T−1} (log scale)", yScale: "log", xInteger: true, params,
    series: [{ name: `ρ = ${fmt(d.rho)}`, x: d.curve.t, y: d.curve.value }],
    markers: [{ x: d.T, label: `T = ${d.T}: ρ^{T−1} = ${fmt(d.atT)}` }],
  });
  const head = "<tr><th scope=col>T</th>" + d.table.rhos.map((r) => `<th scope=col>ρ = ${fmt(r)}</th>`).join("") + "</tr>";
  const rows = d.table.ts.map((t, i) => `<tr><th scope=row>${t}</th>` + d.table.values[i].map((v) => `<td>${fmt(v)}</td>`).join("") + "</tr>").join("");
  $("#decay-table").innerHTML = `<table id="decay-table-el">${head}${rows}</table>`;
  const lhead = "<tr><th scope=col>T</th>" + d.lesson.rhos.map((r) => `<th scope=col>ρ = ${fmt(r)}</th>`).join("") + "</tr>";
  const lrows = d.lesson.rows.map((row) => `<tr><th scope=row>${row.t}</th>` + row.entries.map((e) =>
    `<td class="${e.agrees ? "agrees" : "disagrees"}" data-printed="${escape(e.printed)}">` +
    `${escape(e.printed)} <span class="verdict">${e.agrees ? "✓" : "✗"} ${escape(e.formula)} = ${fmt(e.computed)}</span></td>`).join("") + "</tr>").join("");
  const notes = d.lesson.rows.flatMap((row) => row.entries.filter((e) => !e.agrees).map((e) => `<li>T = ${row.t}, ρ = ${fmt(e.rho)}: printed ${escape(e.printed)}; ${escape(e.verdict)}</li>`)).join("");
  $("#decay-lesson").innerHTML = `<table id="decay-lesson-el">${lhead}${lrows}</table>` +
    `<p class="caps">✗ marks the ${d.lesson.disagreements} of ${d.lesson.entries} printed entries that ρ<sup>T−1</sup> does not reproduce:</p><ul class="verdicts">${notes}</ul>`;
}

// ---- 3. Jacobian lab ------------------------------------------------------------------------------------

function renderJacobian(d, params) {
  Plot.draw($("#plot-eigen"), {
    xLabel: "real part", yLabel: "imaginary part", unitCircle: true, params,
    series: d.blocks.map((b) => ({
      name: d.blocks.length === 1 ? "eigenvalues of W_{hh}" : `gate ${b.gate} block`,
      x: b.eigenvalues.map((z) => z[0]), y: b.eigenvalues.map((z) => z[1]), style: "points",
    })),
  });
  Plot.draw($("#plot-flow"), {
    xLabel: "distance k (steps back from T)", yLabel: "norm (log scale)", yScale: "log", xInteger: true, params,
    series: [
      { name: `measured ‖∂h_T/∂h_{T−k}‖_2${d.cell === "rnn" ? "" : " (hidden path)"}`, x: d.distances, y: d.log10Norm, zeroAt: d.log10NormZeroAt, note: d.log10NormNote, log10: true },
      { name: `ρ^k, ρ = spectral radius ${fmt(d.spectralRadius)}`, x: d.distances, y: d.rhoPower, reference: true },
      { name: `ρ_{eff}^k, effective ρ = ${fmt(d.effectiveRho)}`, x: d.distances, y: d.effectivePower, reference: true },
    ],
  });
  $("#jacobian-facts").innerHTML = facts([
    [d.cell === "rnn" ? "spectral radius of Wₕₕ" : "largest gate-block spectral radius", fmt(d.spectralRadius)],
    ["effective ρ = exp(λ₁), measured", fmt(d.effectiveRho)],
    ["largest Lyapunov exponent λ₁ (per step)", fmt(d.lyapunov[0])],
    [`horizon (last k above ${fmt(d.horizonThreshold * 100)}%)`, `${d.horizon} steps`],
  ]) + `<p class="caps">The same numbers from the command line: <code>${escape(d.command)}</code></p>`;
}

// ---- 4. depth -------------------------------------------------------------------------------------------

function renderDepth(d, params) {
  Plot.draw($("#plot-depth"), {
    xLabel: "layer or step ℓ (the loss sits at ℓ = L)", yLabel: "gradient norm ‖∂L/∂x_ℓ‖ (log scale)", yScale: "log", xInteger: true, params,
    series: d.series.map((s) => ({ name: s.name, x: d.layers, y: s.gradientNorm })),
  });
  $("#depth-facts").innerHTML = facts(d.facts.map((f) => [f.label, fmt(f.value)]));
}

// ---- 5. sentence ----------------------------------------------------------------------------------------

function renderSentence(d, params) {
  const html = d.tokens.map((t, i) => {
    const cls = (i === d.subjectIndex ? "subject" : i === d.verbIndex ? "verb" : i > d.subjectIndex && i < d.verbIndex ? "between" : "") +
      (d.attractorIndices.includes(i) ? " attractor" : "");
    const mark = i > d.subjectIndex && i <= d.verbIndex ? `<sub>${i - d.subjectIndex}</sub>` : "";
    return `<span class="tok ${cls}" data-word="${escape(t)}">${escape(t)}${mark}</span>`;
  }).join(" ");
  const p = $("#sentence-text");
  p.innerHTML = html;
  p.dataset.distance = d.distance;
  p.dataset.params = JSON.stringify(params);
  $("#sentence-facts").innerHTML = facts([
    ["subject", d.tokens[d.subjectIndex]], ["verb", `${d.tokens[d.verbIndex]} (${d.number})`],
    ["words in between", d.wordsBetween], ["steps (Jacobians) from the verb back to the subject", d.distance],
    ["attractors (nouns of the other number)", d.attractorIndices.length],
    [`signal left at ρ = ${fmt(d.signal.rho)}: ρ${superscript(d.distance)}`, fmt(d.signal.value)],
    ...(d.tokenDistance ? [[`tokens from “${d.tokenDistance.subject}” to “${d.tokenDistance.predicate}”`, d.tokenDistance.subjectToPredicate]] : []),
  ]);
}

// ---- live training: one declaration per training section ------------------------------------------------------
//
// A training section names its form (data-section = the server's task), any other forms whose controls it trains
// with (read at click time, with the same validation), its runs (each a label and the parameters that differ) and
// its plots. It checks every run's configuration first (400 → message beside the field), then opens one stream per
// run. The server's `started` event says what it trains; that text goes on the status line and into the legend.
// Each finished set of runs is kept: it can be replayed, and it stays as a faint ghost behind the next one.

const TRAINING_SECTIONS = [
  {
    task: "agreement", alsoReads: ["sentence"],
    runs: [{ key: "rnn", label: "tanh RNN", params: { cell: "rnn" } }, { key: "lstm", label: "LSTM", params: { cell: "lstm" } }],
    plots: [
      { id: "plot-agreement-loss", field: "loss", yLabel: "loss (log scale)", yScale: "log" },
      { id: "plot-agreement-acc", field: "metric", yLabel: "accuracy", yScale: "linear", yRange: [0, 1], chance: "metric" },
    ],
  },
  {
    task: "remedies", alsoReads: [],
    runs: [{ key: "rnn", label: "tanh RNN", params: { cell: "rnn" } }, { key: "remedy", label: "remedy", params: {} }],
    plots: [
      { id: "plot-remedies-loss", field: "loss", yLabel: "loss (log scale)", yScale: "log" },
      { id: "plot-remedies-acc", field: "metric", yLabel: "accuracy", yScale: "linear", yRange: [0, 1], chance: "metric" },
    ],
  },
  {
    task: "exploding", alsoReads: [],
    runs: [{ key: "off", label: "clipping off", params: { cell: "rnn", clipping: "false" } }, { key: "on", label: "clipping on", params: { cell: "rnn", clipping: "true" } }],
    plots: [
      { id: "plot-exploding-grad", field: "gradNorm", yLabel: "gradient norm (log scale)", yScale: "log", markers: true },
      { id: "plot-exploding-loss", field: "loss", yLabel: "loss (log scale)", yScale: "log", markers: true, chance: "loss", fitFinite: true },
    ],
  },
];

function trainingSection(spec) {
  const form = $(`form[data-section="${spec.task}"]`);
  const section = form.closest("section");
  const status = $(".run-status", form);
  const stopBtn = $('[data-action="stop"]', form), trainBtn = $('[data-action="train"]', form);
  const others = spec.alsoReads.map((s) => $(`form[data-section="${s}"]`));
  let sources = [];
  let current = null, previous = null;   // a recording: { params, runs: { key: { description, steps, ... } }, chance }
  const replay = replayControls(form, () => current, (upTo) => redraw(upTo));

  const runState = () => ({ description: "", step: [], loss: [], metric: [], gradNorm: [], nanStep: null, done: false, summary: "" });
  const label = (r, st) => (st && st.description ? `${r.label}: ${st.description}` : r.label);

  function redraw(upTo) {
    if (!current) return;
    spec.plots.forEach((p) => {
      const cut = (arr, st) => (upTo === undefined ? arr : arr.slice(0, st.step.findIndex((s) => s > upTo) === -1 ? arr.length : st.step.findIndex((s) => s > upTo)));
      const series = [];
      if (previous) spec.runs.forEach((r) => {
        const st = previous.runs[r.key];
        series.push({ name: `previous run, ${label(r, st)}`, x: st.step, y: st[p.field], ghost: true, color: "#8a94a0" });
      });
      spec.runs.forEach((r) => {
        const st = current.runs[r.key];
        series.push({ name: label(r, st), x: cut(st.step, st), y: cut(st[p.field], st), unfitted: !!p.fitFinite && st.nanStep !== null });
      });
      const markers = p.markers ? spec.runs.map((r) => [r, current.runs[r.key]]).filter(([, st]) => st.nanStep !== null && (upTo === undefined || st.nanStep <= upTo))
        .map(([r, st]) => ({ x: st.nanStep, label: `${r.label}: loss or gradient NaN at step ${st.nanStep}` })) : [];
      const chance = p.chance && current.chance ? [{ y: current.chance[p.chance], label: `chance: ${fmt(current.chance[p.chance])}` }] : [];
      Plot.draw($("#" + p.id), {
        xLabel: "training step", yLabel: p.yLabel, yScale: p.yScale, yRange: p.yRange, xInteger: true, params: current.params,
        series, markers, hlines: chance,
      });
    });
  }
  let pending = false;
  const schedule = () => { if (!pending) { pending = true; setTimeout(() => { pending = false; redraw(); }, 100); } };

  const setStatus = () => {
    status.textContent = spec.runs.map((r) => {
      const st = current.runs[r.key];
      return `${label(r, st)} — ${st.summary || (st.done ? "done" : st.step.length ? `step ${st.step[st.step.length - 1]}` : "waiting")}`;
    }).join(" · ");
  };
  const stop = (why) => {
    sources.forEach((s) => s.close());
    sources = [];
    stopBtn.disabled = true; trainBtn.disabled = false;
    section.removeAttribute("aria-busy");
    if (why) status.textContent = why;
    form.dataset.running = "false";
  };
  stopBtn.addEventListener("click", () => stop("stopped"));
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("input", saveUrlState);

  trainBtn.addEventListener("click", async () => {
    // Every control is read now, at the click: a value typed a moment ago is the value trained.
    const valid = [form, ...others].map(validate).every(Boolean);
    if (!valid) { status.textContent = "Not started: correct the marked field."; return; }
    stop();
    // This form's own values win: the sentence's seed picks a sentence, the run's seed is the training form's.
    const base = Object.assign({}, ...others.map(formParams), formParams(form));
    const configs = spec.runs.map((r) => ({ ...base, ...r.params, task: spec.task }));
    let checks;
    try {
      checks = await Promise.all(configs.map((c) => getJson("/api/train/check", c)));
    } catch (e) {
      const target = e.field && [form, ...others].find((f) => f.elements[e.field]);
      if (!(e instanceof ApiError && target && fieldMessage(target, e.field, e.message))) status.textContent = e.message;
      else status.textContent = "Not started: correct the marked field.";
      return;
    }
    if (current && current.runs[spec.runs[0].key].done) previous = current;
    current = { params: base, runs: {}, chance: checks[0].chance };
    spec.runs.forEach((r, i) => { current.runs[r.key] = runState(); current.runs[r.key].description = checks[i].description; });
    form.dataset.running = "true";
    form.dataset.finished = "0";
    trainBtn.disabled = true; stopBtn.disabled = false;
    section.setAttribute("aria-busy", "true");
    replay.hide();
    setStatus();
    redraw();
    let finished = 0;
    spec.runs.forEach((r, idx) => {
      const es = new EventSource("/api/train/stream?" + new URLSearchParams(configs[idx]));
      sources.push(es);
      const st = current.runs[r.key];
      es.addEventListener("queued", (e) => { st.summary = `waiting for a free slot (${JSON.parse(e.data).ahead} ahead)`; setStatus(); });
      es.addEventListener("started", (e) => { st.started = true; st.description = JSON.parse(e.data).description; st.summary = ""; setStatus(); schedule(); });
      es.addEventListener("step", (e) => {
        const s = JSON.parse(e.data);
        st.step.push(s.step); st.loss.push(s.loss); st.metric.push(s.metric); st.gradNorm.push(s.gradNorm);
        if (s.nan && st.nanStep === null) st.nanStep = s.step;
        schedule();
      });
      const end = () => {
        es.close();
        st.done = true;
        finished++;
        form.dataset.finished = String(finished);
        setStatus();
        redraw();
        if (finished === spec.runs.length) { stop(); setStatus(); replay.show(); }
      };
      es.addEventListener("done", (e) => {
        const s = JSON.parse(e.data);
        if (s.nanStep !== null && s.nanStep !== undefined) st.nanStep = s.nanStep;
        st.summary = s.text;
        end();
      });
      es.addEventListener("failed", (e) => { st.summary = "error: " + JSON.parse(e.data).error; end(); });
      // The browser would retry a dropped EventSource by itself; a run is never resumed, so any error ends it here.
      // An EventSource cannot read a refusal's status, so ask the server whether it is there at all: if it is, a
      // stream that never started was refused (503: the queue is full).
      es.onerror = async () => {
        if (st.done) return;
        es.close();
        let reachable = true;
        try { await fetch("/api/limits"); } catch { reachable = false; }
        if (st.done) return;
        st.summary = !reachable ? SERVER_DOWN : st.started ? "connection lost" : "refused: the server is busy training other runs; try again in a few seconds";
        end();
      };
    });
  });
  addTools(section, [form], () => {});
}

// Replay of the last recorded runs: play / pause / one step / a scrubber, at a chosen speed (steps per second).
function replayControls(form, recording, drawUpTo) {
  const box = document.createElement("fieldset");
  box.className = "replay";
  box.hidden = true;
  const id = form.dataset.section;
  box.innerHTML = `<legend>Replay the last run</legend>` +
    `<button type="button" data-replay="play">Play</button> <button type="button" data-replay="step">Step</button> ` +
    `<label for="${id}-replay-at">step</label> <input id="${id}-replay-at" type="range" min="0" value="0" step="1"> <output for="${id}-replay-at">0</output> ` +
    `<label for="${id}-replay-speed">speed</label> <select id="${id}-replay-speed"><option value="10">10 steps/s</option><option value="30" selected>30 steps/s</option><option value="100">100 steps/s</option></select>`;
  form.after(box);
  const play = $('[data-replay="play"]', box), step = $('[data-replay="step"]', box);
  const at = $(`#${id}-replay-at`, box), out = $("output", box), speed = $(`#${id}-replay-speed`, box);
  let timer = null;
  const last = () => { const r = recording(); return r ? Math.max(...Object.values(r.runs).map((s) => s.step.length ? s.step[s.step.length - 1] : 0)) : 0; };
  const show = (k) => { at.value = String(k); out.textContent = String(k); box.dataset.at = String(k); drawUpTo(k); };
  const pause = () => { clearInterval(timer); timer = null; play.textContent = "Play"; };
  play.addEventListener("click", () => {
    if (timer) { pause(); return; }
    if (+at.value >= last()) show(0);
    play.textContent = "Pause";
    timer = setInterval(() => { const k = +at.value + 1; if (k > last()) pause(); else show(k); }, 1000 / +speed.value);
  });
  step.addEventListener("click", () => { pause(); show(Math.min(last(), +at.value + 1)); });
  at.addEventListener("input", () => { pause(); show(+at.value); });
  speed.addEventListener("change", () => { if (timer) { pause(); play.click(); } });
  return {
    show: () => { at.max = String(last()); box.hidden = false; at.value = at.max; out.textContent = at.max; box.dataset.at = at.max; },
    hide: () => { pause(); box.hidden = true; },
  };
}

// ---- 7. LSTM ----------------------------------------------------------------------------------------------

function renderLstm(d, params) {
  Plot.draw($("#plot-lstm"), {
    xLabel: "distance k (steps back from T)", yLabel: "norm (log scale)", yScale: "log", xInteger: true, params,
    series: [
      { name: "LSTM cell path ‖∂c_T/∂c_{T−k}‖_2", x: d.distances, y: d.log10CellPath, zeroAt: d.log10CellPathZeroAt, log10: true },
      { name: "tanh RNN ‖∂h_T/∂h_{T−k}‖_2", x: d.distances, y: d.log10Rnn, zeroAt: d.log10RnnZeroAt, log10: true },
      { name: "LSTM hidden path ‖∂h_T/∂h_{T−k}‖_2", x: d.distances, y: d.log10LstmHidden, zeroAt: d.log10LstmHiddenZeroAt, note: d.log10LstmHiddenNote, log10: true },
    ],
  });
  $("#lstm-facts").innerHTML = facts(d.facts.map((f) => [f.label, f.log10 ? pow10(f.value, f.zero) : fmt(f.value)]));
}

// ---- 8. quiz ----------------------------------------------------------------------------------------------

async function setupQuiz() {
  const form = $("#quiz-form");
  const score = $("#quiz-score");
  let qs;
  try { qs = await getJson("/api/quiz"); }
  catch (e) { score.textContent = "The quiz could not be loaded: " + e.message; return; }
  form.innerHTML = qs.map((q, i) => `<fieldset class="quiz-q" data-q="${i}"><legend>${i + 1}. ${escape(q.text)}</legend>` +
    q.options.map((o, j) => `<label><input type="radio" name="q${i}" value="${j}"> ${escape(o)}</label>`).join("") +
    `<div class="explain" aria-live="polite"></div></fieldset>`).join("");
  const retry = $("#quiz-retry"), reveal = $("#quiz-reveal");
  const chosen = () => qs.map((_, i) => { const c = $(`input[name="q${i}"]:checked`, form); return c ? Number(c.value) : null; });
  let latest = 0;   // the last grading asked for: an earlier one answered later (Check, then Show quickly) is dropped
  const grade = async (showAnswers) => {
    const request = ++latest;
    let g;
    try {
      g = await getJson("/api/quiz/grade", null, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answers: chosen(), reveal: showAnswers }) });
    } catch (e) { if (request === latest) score.textContent = "Could not check the answers: " + e.message; return; }
    if (request !== latest) return;
    g.results.forEach((res, i) => {
      const box = $(`[data-q="${i}"]`, form);
      box.classList.toggle("right", res.correct);
      box.classList.toggle("wrong", !res.correct);
      const mine = res.chosen === null ? "Not answered." : res.correct ? "✓ Right." : `✗ “${qs[i].options[res.chosen]}” is not right.`;
      const answer = res.answer !== null && res.answer !== undefined && !res.correct ? ` The answer: ${escape(qs[i].options[res.answer])}.` : "";
      $(".explain", box).innerHTML = `${escape(mine)}${answer} ${escape(res.feedback ?? res.explanation ?? "")} <a href="#${escape(res.section)}">See ${escape(res.sectionTitle)}.</a>`;
    });
    score.textContent = `Score: ${g.score} / ${g.total}`;
    score.dataset.score = g.score;
    score.dataset.total = g.total;
    retry.hidden = g.score === g.total;
    reveal.hidden = g.score === g.total;
  };
  $("#quiz-submit").addEventListener("click", () => grade(false));
  reveal.addEventListener("click", () => grade(true));
  retry.addEventListener("click", () => {
    $$(".quiz-q.wrong", form).forEach((box) => {
      $$("input", box).forEach((i) => (i.checked = false));
      $(".explain", box).textContent = "";
      box.classList.remove("wrong");
    });
    retry.hidden = true;
    const first = $(".quiz-q:not(.right) input", form);
    if (first) first.focus();
  });
}

// ---- presets: named settings of several sections, from the server -------------------------------------------

function setupPresets(presets, sections) {
  const bar = $("#presets");
  presets.forEach((p) => {
    const b = document.createElement("button");
    b.type = "button"; b.dataset.preset = p.name; b.textContent = p.title;
    b.title = p.description;
    b.addEventListener("click", () => {
      $$("form[data-section]").forEach((form) => $$("input[name], select[name]", form).forEach((i) => (i.value = i.dataset.default)));
      for (const [key, value] of Object.entries(p.values)) {
        const [section, name] = key.split(".");
        const input = $(`form[data-section="${section}"] [name="${name}"]`);
        if (input) input.value = String(value);
      }
      $$("form[data-section]").forEach(showOutputs);
      history.replaceState(null, "", stateUrl("#" + p.section));
      sections.forEach((s) => s.run());
      document.getElementById(p.section).scrollIntoView();
    });
    bar.appendChild(b);
  });
}

// ---- start ------------------------------------------------------------------------------------------------

function fillFacts(f) {
  $$("[data-fact]").forEach((s) => {
    const v = f[s.dataset.fact];
    if (v === undefined) throw new Error(`no lesson fact ${s.dataset.fact} in /api/limits`);
    s.textContent = fmt(v);
  });
}

async function main() {
  try { LIMITS = await getJson("/api/limits"); }
  catch (e) { $("#page-status").textContent = e.message; document.body.dataset.ready = "error"; return; }
  fillFacts(LIMITS.facts);
  $$("form[data-section]").forEach(setupForm);
  applyUrlState();
  $$("form[data-section]").forEach(showOutputs);
  const refresher = bindSection("refresher", "/api/refresher", renderRefresher);
  const decay = bindSection("decay", "/api/decay", renderDecay);
  const jac = bindSection("jacobian", "/api/jacobian", renderJacobian, { every: 200 });
  const depth = bindSection("depth", "/api/depth", renderDepth);
  const sentence = bindSection("sentence", "/api/sentence", renderSentence);
  $('[data-action="another-sentence"]').addEventListener("click", () => {
    sentence.form.elements.seed.value = String(Number(sentence.form.elements.seed.value) + 1);
    saveUrlState();
    sentence.run();
  });
  const lstm = bindSection("lstm", "/api/lstm", renderLstm, { every: 200 });
  TRAINING_SECTIONS.forEach(trainingSection);
  const sections = [refresher, decay, jac, depth, sentence, lstm];
  setupPresets(LIMITS.presets || [], sections);
  await Promise.all([...sections.map((s) => s.run()), setupQuiz()]);
  if (location.hash) { const target = document.getElementById(location.hash.slice(1)); if (target) target.scrollIntoView(); }
  document.body.dataset.ready = "true";
}

main().catch((e) => { document.body.dataset.ready = "error"; $("#page-status").textContent = "The page failed to start: " + e.message; console.error(e); });
