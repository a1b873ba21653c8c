// The lesson page: each section binds its controls to one JSON endpoint and draws what comes back.
// No arithmetic on the data happens here beyond formatting: every value is the library's.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const fmt = (v) => (typeof v === "number" ? Plot.fmt(v) : String(v));
const pow10 = (log10) => (typeof log10 === "number" && Number.isFinite(log10) ? Plot.fmt(Math.pow(10, log10)) : "0");
const range = (n, from = 0) => Array.from({ length: n }, (_, i) => i + from);
const complexText = (z) => (Math.abs(z[1]) < 1e-12 ? fmt(z[0]) : `${fmt(z[0])} ${z[1] < 0 ? "−" : "+"} ${fmt(Math.abs(z[1]))}i`);
const facts = (pairs) => "<dl>" + pairs.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join("") + "</dl>";

class ApiError extends Error {
  constructor(message, field) { super(message); this.field = field; }
}

async function getJson(url, params) {
  const r = await fetch(url + (params ? "?" + new URLSearchParams(params) : ""));
  let body = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (!r.ok) throw new ApiError((body && body.error) || `the server answered ${r.status}`, body && body.field);
  return body;
}

// ---- controls: read, validate beside each field, debounce, fetch, render -------------------------------

function formParams(form) {
  const p = {};
  $$("input[name], select[name]", form).forEach((i) => { p[i.name] = i.type === "checkbox" ? String(i.checked) : i.value; });
  return p;
}

function showOutputs(form) {
  $$("output[data-show]", form).forEach((o) => { const i = form.elements[o.dataset.show]; if (i) o.textContent = i.value; });
}

function clearMessages(form) {
  $$(".msg", form).forEach((m) => (m.textContent = ""));
  $$(".invalid", form).forEach((i) => i.classList.remove("invalid"));
}

function fieldMessage(form, field, message) {
  const m = $(`.msg[data-for="${field}"]`, form);
  const input = form.elements[field];
  if (input) input.classList.add("invalid");
  if (m) { m.textContent = message; return true; }
  return false;
}

// Client-side check mirrors the server's caps (which the server enforces again).
function validate(form) {
  let ok = true;
  $$("input[name]", form).forEach((i) => {
    if (i.type === "range" || i.type === "checkbox") return;
    if (!i.checkValidity()) {
      ok = false;
      const lo = i.getAttribute("min"), hi = i.getAttribute("max");
      const bounds = lo !== null && hi !== null ? ` between ${lo} and ${hi}` : lo !== null ? ` of at least ${lo}` : "";
      const whole = i.getAttribute("step") === "1" ? "a whole number" : "a number";
      fieldMessage(form, i.name, i.value === "" ? `enter ${whole}${bounds}` : `must be ${whole}${bounds}`);
    }
  });
  return ok;
}

function bindSection(name, url, render, opts = {}) {
  const form = $(`form[data-section="${name}"]`);
  const errorBox = document.createElement("p");
  errorBox.className = "section-error";
  form.after(errorBox);
  let timer = null, seq = 0;
  const run = async () => {
    clearMessages(form);
    errorBox.textContent = "";
    showOutputs(form);
    if (!validate(form)) return;
    const params = formParams(form);
    const mine = ++seq;
    form.dataset.state = "loading";
    try {
      const data = await getJson(url, params);
      if (mine !== seq) return;
      render(data, params);
      form.dataset.state = "ready";
    } catch (e) {
      if (mine !== seq) return;
      form.dataset.state = "error";
      if (!(e instanceof ApiError && e.field && fieldMessage(form, e.field, e.message))) errorBox.textContent = e.message;
    }
  };
  form.addEventListener("input", () => { showOutputs(form); clearTimeout(timer); timer = setTimeout(run, opts.delay ?? 150); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(run, 20); });
  return { form, run };
}

function applyLimits(limits) {
  const set = (section, field, attrs) => {
    const i = $(`form[data-section="${section}"] [name="${field}"]`);
    if (i) for (const [k, v] of Object.entries(attrs)) i.setAttribute(k, v);
  };
  const L = limits;
  ["a11", "a12", "a21", "a22"].forEach((f) => set("refresher", f, { min: -L.refresher.maxEntry, max: L.refresher.maxEntry }));
  set("refresher", "k", { max: L.refresher.maxPower });
  set("decay", "rho", { min: L.decay.minRho, max: L.decay.maxRho });
  set("decay", "T", { max: L.decay.maxT });
  set("jacobian", "hidden", { max: L.jacobian.maxHidden });
  set("jacobian", "steps", { max: L.jacobian.maxSteps });
  set("jacobian", "rho", { max: L.jacobian.maxRho });
  set("jacobian", "seed", { max: 1000000 });
  set("depth", "depth", { max: L.depth.maxLayers });
  set("depth", "width", { max: L.jacobian.maxHidden });
  set("depth", "seed", { max: 1000000 });
  set("sentence", "distance", { max: L.training.maxDistance });
  set("lstm", "steps", { max: L.jacobian.maxSteps });
  set("lstm", "hidden", { max: L.jacobian.maxHidden });
  set("lstm", "seed", { max: 1000000 });
  ["agreement", "exploding"].forEach((s) => {
    set(s, "hidden", { max: L.training.maxHidden });
    set(s, "steps", { max: L.training.maxSteps });
    set(s, "lr", { max: L.training.maxLearningRate });
  });
  set("exploding", "rho", { max: L.training.maxRho });
  set("exploding", "clip", { max: 100 });
  const T = L.training;
  const caps = {
    refresher: `Entries between −${L.refresher.maxEntry} and ${L.refresher.maxEntry}; powers up to ${L.refresher.maxPower}.`,
    decay: `ρ from ${L.decay.minRho} to ${L.decay.maxRho}; T up to ${L.decay.maxT}.`,
    jacobian: `Hidden size up to ${L.jacobian.maxHidden}; sequence length up to ${L.jacobian.maxSteps}; spectral radius up to ${L.jacobian.maxRho}.`,
    lstm: `Hidden size up to ${L.jacobian.maxHidden}; sequence length up to ${L.jacobian.maxSteps}; forget-gate bias from −2 to 5.`,
    depth: `Up to ${L.depth.maxLayers} layers or steps; width up to ${L.jacobian.maxHidden}.`,
    sentence: `Distance from 1 to ${L.training.maxDistance} steps; the training below uses this distance.`,
    training: `Limits per run: hidden size ≤ ${T.maxHidden}, ≤ ${T.maxSteps} training steps, distance ≤ ${T.maxDistance}, ` +
      `${T.wallSeconds} s wall time; ${T.concurrentRuns} runs train at once on this server, others wait in line.`,
  };
  $$("[data-caps]").forEach((p) => (p.textContent = caps[p.dataset.caps] || ""));
}

// ---- 1. refresher ---------------------------------------------------------------------------------------

let lastPreset = null;

function renderRefresher(d, params) {
  const ks = range(d.k + 1);
  const series = d.directions.map((dir, i) => ({ name: `direction of λ${i + 1} = ${complexText(dir.eigenvalue)}`, x: ks, y: dir.log10Size, log10: true }));
  series.push({ name: "‖Aᵏ‖₂", x: ks, y: d.log10Norm, log10: true, style: "dash", color: "#495057" });
  Plot.draw($("#plot-refresher"), { xLabel: "power k", yLabel: "size (log scale)", yScale: "log", series, params });
  lastPreset = d.preset;
  const at = Math.min(10, d.k);
  $("#refresher-facts").innerHTML = facts([
    ...d.eigenvalues.map((z, i) => [`eigenvalue λ${i + 1}`, complexText(z)]),
    ["spectral radius", fmt(d.spectralRadius)],
    ...d.directions.map((dir, i) => [`size of direction ${i + 1} after k = ${at}`, pow10(dir.log10Size[at])]),
  ]);
}

// ---- 2. decay -------------------------------------------------------------------------------------------

function renderDecay(d, params) {
  Plot.draw($("#plot-decay"), {
    xLabel: "sequence length T", yLabel: "ρ^(T−1) (log scale)", yScale: "log", params,
    series: [{ name: `ρ = ${fmt(d.rho)}`, x: d.curve.t, y: d.curve.value }],
    markers: [{ x: d.t, label: `T = ${d.t}: ${fmt(d.atT)}`, color: "#495057" }],
  });
  const head = "<tr><th>T</th>" + d.table.rhos.map((r) => `<th>ρ = ${fmt(r)}</th>`).join("") + "</tr>";
  const rows = d.table.ts.map((t, i) => `<tr><th>${t}</th>` + d.table.values[i].map((v) => `<td>${fmt(v)}</td>`).join("") + "</tr>").join("");
  $("#decay-table").innerHTML = `<table id="decay-table-el">${head}${rows}</table>`;
  const lhead = "<tr><th>T</th>" + d.lesson.rhos.map((r) => `<th>ρ = ${fmt(r)}</th>`).join("") + "</tr>";
  const lrows = d.lesson.rows.map((row) => `<tr><th>${row.t}</th>` + row.entries.map((e) =>
    `<td class="${e.agrees ? "agrees" : "disagrees"}" data-printed="${e.printed}" title="${e.formula} = ${fmt(e.computed)}: ${e.verdict}">` +
    `${e.printed}${e.agrees ? "" : " ✗"}</td>`).join("") + "</tr>").join("");
  $("#decay-lesson").innerHTML = `<table id="decay-lesson-el">${lhead}${lrows}</table>` +
    `<p class="caps">✗ marks the ${d.lesson.disagreements} of ${d.lesson.entries} printed entries that ρ^(T−1) does not reproduce; ` +
    `hover an entry for the computed value and the verdict.</p>`;
}

// ---- 3. Jacobian lab ------------------------------------------------------------------------------------

function renderJacobian(d, params) {
  Plot.draw($("#plot-eigen"), {
    xLabel: "real part", yLabel: "imaginary part", unitCircle: true, equal: true, params,
    series: d.blocks.map((b) => ({
      name: d.blocks.length === 1 ? "eigenvalues of W_hh" : `gate ${b.gate} block`,
      x: b.eigenvalues.map((z) => z[0]), y: b.eigenvalues.map((z) => z[1]), style: "points",
    })),
  });
  Plot.draw($("#plot-flow"), {
    xLabel: "distance k (steps back from T)", yLabel: "norm (log scale)", yScale: "log", params,
    series: [
      { name: "measured ‖∂h_T/∂h_{T−k}‖₂", x: d.distances, y: d.log10Norm, log10: true },
      { name: `ρ^k, ρ = spectral radius ${fmt(d.spectralRadius)}`, x: d.distances, y: d.rhoPower, style: "dash" },
      { name: `ρ_eff^k, effective ρ = ${fmt(d.effectiveRho)}`, x: d.distances, y: d.effectivePower, style: "dash" },
    ],
  });
  $("#jacobian-facts").innerHTML = facts([
    [d.cell === "rnn" ? "spectral radius of W_hh" : "largest gate-block spectral radius", fmt(d.spectralRadius)],
    ["effective ρ = exp(λ₁), measured", fmt(d.effectiveRho)],
    ["largest Lyapunov exponent λ₁ (per step)", fmt(d.lyapunov[0])],
    [`horizon (last k above ${fmt(d.horizonThreshold * 100)}%)`, `${d.horizon} steps`],
  ]) + `<p class="caps">The same numbers from the command line: <code>${d.command}</code></p>`;
}

// ---- 4. depth -------------------------------------------------------------------------------------------

function renderDepth(d, params) {
  Plot.draw($("#plot-depth"), {
    xLabel: "layer or step ℓ (the loss sits at ℓ = L)", yLabel: "gradient norm ‖∂L/∂x_ℓ‖ (log scale)", yScale: "log", params,
    series: d.series.map((s) => ({ name: s.name, x: d.layers, y: s.gradientNorm })),
  });
  $("#depth-facts").innerHTML = facts(d.facts.map((f) => [f.label, fmt(f.value)]));
}

// ---- 5. sentence and live training ----------------------------------------------------------------------

function renderSentence(d, params) {
  const html = d.tokens.map((t, i) => {
    const cls = (i === d.subjectIndex ? "subject" : i === d.verbIndex ? "verb" : i > d.subjectIndex && i < d.verbIndex ? "between" : "") +
      (d.attractorIndices.includes(i) ? " attractor" : "");
    const mark = i > d.subjectIndex && i <= d.verbIndex ? `<sub>${i - d.subjectIndex}</sub>` : "";
    return `<span class="tok ${cls}" data-word="${t}">${t}${mark}</span>`;
  }).join(" ");
  const p = $("#sentence-text");
  p.innerHTML = html;
  p.dataset.distance = d.distance;
  p.dataset.params = JSON.stringify(params);
  $("#sentence-facts").innerHTML = facts([
    ["subject", d.tokens[d.subjectIndex]], ["verb", `${d.tokens[d.verbIndex]} (${d.number})`],
    ["words in between", d.wordsBetween], ["steps (Jacobians) from verb back to subject", d.distance],
    ["attractors (nouns of the other number)", d.attractorIndices.length],
    [`signal left at ρ = ${fmt(d.signal.rho)}: ρ^${d.distance}`, fmt(d.signal.value)],
    ...(d.tokenDistance ? [[`tokens from “${d.tokenDistance.subject}” to “${d.tokenDistance.predicate}”`, d.tokenDistance.subjectToPredicate]] : []),
  ]);
  const agree = $('form[data-section="agreement"]');
  agree.dataset.distance = d.distance;
}

// A live run: check the configuration (400 → message beside the field), then stream its steps (SSE).
function trainingRun({ form, status, runs, plots, onDone }) {
  let sources = [];
  const stopBtn = $('[data-action="stop"]', form), trainBtn = $('[data-action="train"]', form);
  const state = {};
  const redraw = () => plots.forEach((p) => Plot.draw($(p.id), {
    xLabel: "training step", yLabel: p.yLabel, yScale: p.yScale, yRange: p.yRange, params: state.params,
    series: runs.map((r) => ({ name: r.label, x: state[r.key].step, y: state[r.key][p.field] })),
    markers: p.markers ? runs.filter((r) => state[r.key].nanStep !== null).map((r) => ({ x: state[r.key].nanStep, label: `${r.label}: loss or gradient NaN at step ${state[r.key].nanStep}` })) : [],
  }));
  let pending = false;
  const schedule = () => { if (!pending) { pending = true; setTimeout(() => { pending = false; redraw(); }, 120); } };
  const stop = (why) => {
    sources.forEach((s) => s.close());
    sources = [];
    stopBtn.disabled = true; trainBtn.disabled = false;
    if (why) status.textContent = why;
    form.dataset.running = "false";
  };
  stopBtn.addEventListener("click", () => stop("stopped"));
  trainBtn.addEventListener("click", async () => {
    clearMessages(form);
    if (!validate(form)) return;
    stop();
    const base = { ...formParams(form), ...(form.dataset.distance ? { distance: form.dataset.distance } : {}) };
    state.params = base;
    const configs = runs.map((r) => ({ ...base, ...r.params }));
    try {
      for (const c of configs) await getJson("/api/train/check", c);
    } catch (e) {
      if (!(e instanceof ApiError && e.field && fieldMessage(form, e.field, e.message))) status.textContent = e.message;
      return;
    }
    runs.forEach((r) => (state[r.key] = { step: [], loss: [], metric: [], gradNorm: [], nanStep: null, done: false }));
    form.dataset.running = "true";
    form.dataset.finished = "0";
    trainBtn.disabled = true; stopBtn.disabled = false;
    status.textContent = "starting…";
    redraw();
    let finished = 0;
    runs.forEach((r, idx) => {
      const es = new EventSource("/api/train/stream?" + new URLSearchParams(configs[idx]));
      sources.push(es);
      const st = state[r.key];
      es.addEventListener("queued", (e) => { status.textContent = `${r.label}: waiting for a free slot (${JSON.parse(e.data).ahead} ahead)`; });
      es.addEventListener("started", () => { status.textContent = "training…"; });
      es.addEventListener("step", (e) => {
        const s = JSON.parse(e.data);
        st.step.push(s.step); st.loss.push(s.loss); st.metric.push(s.metric); st.gradNorm.push(s.gradNorm);
        if (s.nan && st.nanStep === null) st.nanStep = s.step;
        schedule();
      });
      const end = (text) => {
        es.close();
        st.done = true;
        finished++;
        form.dataset.finished = String(finished);
        status.textContent = runs.map((q) => `${q.label}: ${state[q.key].summary || (state[q.key].done ? "done" : "running")}`).join(" · ") + (text ? ` (${text})` : "");
        redraw();
        if (finished === runs.length) { stop(); onDone && onDone(state); }
      };
      es.addEventListener("done", (e) => {
        const s = JSON.parse(e.data);
        if (s.nanStep !== null && s.nanStep !== undefined) st.nanStep = s.nanStep;
        st.summary = s.text;
        end();
      });
      es.addEventListener("failed", (e) => { st.summary = "error: " + JSON.parse(e.data).error; end(); });
      es.onerror = () => { if (!st.done) { st.summary = "connection lost"; end(); } };
    });
  });
}

// ---- 7. LSTM ----------------------------------------------------------------------------------------------

function renderLstm(d, params) {
  Plot.draw($("#plot-lstm"), {
    xLabel: "distance k (steps back from T)", yLabel: "norm (log scale)", yScale: "log10", params,
    series: [
      { name: "LSTM cell path ‖∂c_T/∂c_{T−k}‖₂", x: d.distances, y: d.log10CellPath, log10: true },
      { name: "tanh RNN ‖∂h_T/∂h_{T−k}‖₂", x: d.distances, y: d.log10Rnn, log10: true },
      { name: "LSTM hidden path ‖∂h_T/∂h_{T−k}‖₂", x: d.distances, y: d.log10LstmHidden, log10: true, style: "dash" },
    ],
  });
  $("#lstm-facts").innerHTML = facts(d.facts.map((f) => [f.label, fmt(f.value)]));
}

// ---- 8. quiz ----------------------------------------------------------------------------------------------

async function setupQuiz() {
  const qs = await getJson("/api/quiz");
  const form = $("#quiz-form");
  form.innerHTML = qs.map((q, i) => `<div class="quiz-q" data-q="${i}"><p>${i + 1}. ${q.text}</p>` +
    q.options.map((o, j) => `<label><input type="radio" name="q${i}" value="${j}"> ${o}</label>`).join("") +
    `<div class="explain"></div></div>`).join("");
  $("#quiz-submit").addEventListener("click", async () => {
    const answers = qs.map((_, i) => { const c = $(`input[name="q${i}"]:checked`, form); return c ? Number(c.value) : null; });
    const r = await fetch("/api/quiz/grade", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answers }) });
    const g = await r.json();
    g.results.forEach((res, i) => {
      const box = $(`[data-q="${i}"]`, form);
      box.classList.toggle("right", res.correct);
      box.classList.toggle("wrong", !res.correct);
      const right = qs[i].options[res.answer];
      $(".explain", box).innerHTML = `${res.correct ? "✓ Right." : res.chosen === null ? "Not answered. The answer: " + right + "." : "✗ The answer: " + right + "."} ` +
        `${res.explanation} <a href="#${res.section}">See ${res.sectionTitle}.</a>`;
    });
    const score = $("#quiz-score");
    score.textContent = `Score: ${g.score} / ${g.total}`;
    score.dataset.score = g.score;
    score.dataset.total = g.total;
  });
}

// ---- start ------------------------------------------------------------------------------------------------

async function main() {
  applyLimits(await getJson("/api/limits"));
  $$("form.controls").forEach((f) => { showOutputs(f); f.addEventListener("input", () => showOutputs(f)); });
  const refresher = bindSection("refresher", "/api/refresher", renderRefresher);
  $('[data-action="preset"]').addEventListener("click", () => {
    const f = refresher.form;
    if (!lastPreset) return;
    ["a11", "a12", "a21", "a22"].forEach((k, i) => (f.elements[k].value = String(lastPreset[i])));
    refresher.run();
  });
  const decay = bindSection("decay", "/api/decay", renderDecay);
  const jac = bindSection("jacobian", "/api/jacobian", renderJacobian, { delay: 250 });
  const depth = bindSection("depth", "/api/depth", renderDepth);
  const sentence = bindSection("sentence", "/api/sentence", renderSentence);
  $('[data-action="lesson-sentence"]').addEventListener("click", () => {
    sentence.form.elements.distance.value = "13"; sentence.form.elements.seed.value = "0"; sentence.run();
  });
  $('[data-action="another-sentence"]').addEventListener("click", () => {
    sentence.form.elements.seed.value = String(Number(sentence.form.elements.seed.value) + 1); sentence.run();
  });
  const lstm = bindSection("lstm", "/api/lstm", renderLstm, { delay: 250 });
  trainingRun({
    form: $('form[data-section="agreement"]'), status: $("#agreement-status"),
    runs: [
      { key: "rnn", label: "tanh RNN", params: { task: "agreement", cell: "rnn" } },
      { key: "lstm", label: "LSTM", params: { task: "agreement", cell: "lstm" } },
    ],
    plots: [
      { id: "#plot-agreement-loss", field: "loss", yLabel: "loss (log scale)", yScale: "log" },
      { id: "#plot-agreement-acc", field: "metric", yLabel: "accuracy", yScale: "linear", yRange: [0, 1] },
    ],
  });
  trainingRun({
    form: $('form[data-section="exploding"]'), status: $("#exploding-status"),
    runs: [
      { key: "off", label: "clipping off", params: { task: "exploding", cell: "rnn", clipping: "false" } },
      { key: "on", label: "clipping on", params: { task: "exploding", cell: "rnn", clipping: "true" } },
    ],
    plots: [
      { id: "#plot-exploding-grad", field: "gradNorm", yLabel: "gradient norm (log scale)", yScale: "log", markers: true },
      { id: "#plot-exploding-loss", field: "loss", yLabel: "loss (log scale)", yScale: "log", markers: true },
    ],
  });
  await Promise.all([refresher.run(), decay.run(), jac.run(), depth.run(), sentence.run(), lstm.run(), setupQuiz()]);
  document.body.dataset.ready = "true";
}

main().catch((e) => { document.body.dataset.ready = "error"; console.error(e); });
